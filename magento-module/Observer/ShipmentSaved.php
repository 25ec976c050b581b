<?php
/**
 * sales_order_shipment_save_after -> shipment_saved.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Observer;

use ChannelManager\Connector\Model\Event\EventBodyBuilder;
use ChannelManager\Connector\Model\Event\EventPublisher;
use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Magento\Sales\Model\Order\Shipment;

class ShipmentSaved implements ObserverInterface
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
        /** @var Shipment|null $shipment */
        $shipment = $observer->getEvent()->getData('shipment');
        if ($shipment === null || !$shipment->getId()) {
            return;
        }
        $this->publisher->orderEvent(
            EventBodyBuilder::SHIPMENT_SAVED,
            $shipment->getOrder(),
            ['shipment_id' => (int) $shipment->getId()]
        );
    }
}
