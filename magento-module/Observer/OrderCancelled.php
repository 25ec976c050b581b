<?php
/**
 * order_cancel_after -> order_cancelled. Order::cancel() raises the event before the order is
 * saved; the event goes out when that save commits.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Observer;

use ChannelManager\Connector\Model\Event\EventBodyBuilder;
use ChannelManager\Connector\Model\Event\EventPublisher;
use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Magento\Sales\Model\Order;

class OrderCancelled implements ObserverInterface
{
    /** @var EventPublisher */
    private $publisher;

    public function __construct(EventPublisher $publisher)
    {
        $this->publisher = $publisher;
    }

    /**
     * @param Observer $observer
     * @return void
     */
    public function execute(Observer $observer)
    {
        /** @var Order|null $order */
        $order = $observer->getEvent()->getData('order');
        $this->publisher->orderEvent(EventBodyBuilder::ORDER_CANCELLED, $order);
    }
}
