<?php
/**
 * After MSI saves source items (admin product form, POST /V1/inventory/source-items, imports):
 * one stock_changed event per SKU.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Plugin;

use ChannelManager\Connector\Model\Event\EventPublisher;
use Magento\InventoryApi\Api\Data\SourceItemInterface;
use Magento\InventoryApi\Api\SourceItemsSaveInterface;

class SourceItemsSaved
{
    /** @var EventPublisher */
    private $publisher;

    public function __construct(EventPublisher $publisher)
    {
        $this->publisher = $publisher;
    }

    /**
     * @param SourceItemsSaveInterface $subject
     * @param mixed $result
     * @param SourceItemInterface[] $sourceItems
     * @return mixed
     */
    public function afterExecute(SourceItemsSaveInterface $subject, $result, array $sourceItems)
    {
        $skus = [];
        foreach ($sourceItems as $sourceItem) {
            $skus[(string) $sourceItem->getSku()] = true;
        }
        foreach (array_keys($skus) as $sku) {
            if ($sku !== '') {
                $this->publisher->stockEvent((string) $sku);
            }
        }
        return $result;
    }
}
