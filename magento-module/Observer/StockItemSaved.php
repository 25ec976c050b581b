<?php
/**
 * cataloginventory_stock_item_save_commit_after -> stock_changed (legacy stock item saves,
 * e.g. the product form or PUT /V1/products/{sku}/stockItems/{id}).
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Observer;

use ChannelManager\Connector\Model\Event\EventPublisher;
use Magento\Catalog\Model\ResourceModel\Product as ProductResource;
use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Psr\Log\LoggerInterface;

class StockItemSaved implements ObserverInterface
{
    /** @var EventPublisher */
    private $publisher;

    /** @var ProductResource */
    private $productResource;

    /** @var LoggerInterface */
    private $logger;

    public function __construct(EventPublisher $publisher, ProductResource $productResource, LoggerInterface $logger)
    {
        $this->publisher = $publisher;
        $this->productResource = $productResource;
        $this->logger = $logger;
    }

    /**
     * @param Observer $observer
     * @return void
     */
    public function execute(Observer $observer)
    {
        $item = $observer->getEvent()->getData('item');
        if ($item === null || !$item->getProductId()) {
            return;
        }
        try {
            $rows = $this->productResource->getProductsSku([(int) $item->getProductId()]);
        } catch (\Throwable $e) {
            $this->logger->error('Channel Manager: no SKU for a stock change', ['product_id' => $item->getProductId()]);
            return;
        }
        foreach ($rows as $row) {
            $this->publisher->stockEvent((string) $row['sku']);
        }
    }
}
