<?php
/**
 * sales_order_creditmemo_save_after -> creditmemo_saved.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Observer;

use ChannelManager\Connector\Model\Event\EventBodyBuilder;
use ChannelManager\Connector\Model\Event\EventPublisher;
use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Magento\Sales\Model\Order\Creditmemo;

class CreditmemoSaved implements ObserverInterface
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
        /** @var Creditmemo|null $creditmemo */
        $creditmemo = $observer->getEvent()->getData('creditmemo');
        if ($creditmemo === null || !$creditmemo->getId()) {
            return;
        }
        $this->publisher->orderEvent(
            EventBodyBuilder::CREDITMEMO_SAVED,
            $creditmemo->getOrder(),
            ['creditmemo_id' => (int) $creditmemo->getId()]
        );
    }
}
