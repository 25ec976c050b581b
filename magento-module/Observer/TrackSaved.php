<?php
/**
 * sales_order_shipment_track_save_after -> track_saved.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Observer;

use ChannelManager\Connector\Model\Event\EventBodyBuilder;
use ChannelManager\Connector\Model\Event\EventPublisher;
use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Magento\Sales\Api\OrderRepositoryInterface;
use Magento\Sales\Model\Order\Shipment\Track;

class TrackSaved implements ObserverInterface
{
    /** @var EventPublisher */
    private $publisher;

    /** @var OrderRepositoryInterface */
    private $orders;

    public function __construct(EventPublisher $publisher, OrderRepositoryInterface $orders)
    {
        $this->publisher = $publisher;
        $this->orders = $orders;
    }

    /**
     * @param Observer $observer
     * @return void
     */
    public function execute(Observer $observer)
    {
        /** @var Track|null $track */
        $track = $observer->getEvent()->getData('track');
        if ($track === null || !$track->getId() || !$track->getOrderId()) {
            return;
        }
        try {
            $order = $this->orders->get((int) $track->getOrderId());
        } catch (\Exception $e) {
            return;
        }
        $this->publisher->orderEvent(
            EventBodyBuilder::TRACK_SAVED,
            $order,
            ['shipment_id' => (int) $track->getParentId(), 'track_id' => (int) $track->getId()]
        );
    }
}
