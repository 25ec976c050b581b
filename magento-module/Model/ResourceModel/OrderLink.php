<?php
/**
 * The table channel_manager_order_link: one row per channel order placed by the module,
 * UNIQUE(channel, external_order_id). It uses the sales connection, so its rows are written in
 * the same transaction as the order.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\ResourceModel;

use Magento\Framework\Model\ResourceModel\Db\AbstractDb;

class OrderLink extends AbstractDb
{
    public const TABLE = 'channel_manager_order_link';

    /** @var string */
    protected $connectionName = 'sales';

    /** @inheritdoc */
    protected function _construct()
    {
        $this->_init(self::TABLE, 'link_id');
    }

    /**
     * The committed row for the channel order, or null.
     *
     * @return array<string, mixed>|null
     */
    public function findByExternalOrderId(string $channel, string $externalOrderId): ?array
    {
        $connection = $this->getConnection();
        $row = $connection->fetchRow(
            $connection->select()
                ->from($this->getMainTable())
                ->where('channel = ?', $channel)
                ->where('external_order_id = ?', $externalOrderId)
        );
        return $row ?: null;
    }

    /**
     * The row for a Commerce order, or null when the module did not place it.
     *
     * @return array<string, mixed>|null
     */
    public function findByOrderId(int $orderId): ?array
    {
        $connection = $this->getConnection();
        $row = $connection->fetchRow(
            $connection->select()->from($this->getMainTable())->where('order_id = ?', $orderId)
        );
        return $row ?: null;
    }

    /**
     * Claims the channel order's key inside the open transaction. A concurrent claim of the same
     * key waits for this transaction and then fails with a duplicate-key error.
     *
     * @throws \Magento\Framework\DB\Adapter\DuplicateException when the key is taken
     */
    public function claim(string $channel, string $externalOrderId): int
    {
        $connection = $this->getConnection();
        $connection->insert($this->getMainTable(), ['channel' => $channel, 'external_order_id' => $externalOrderId]);
        return (int) $connection->lastInsertId($this->getMainTable());
    }

    /** Completes a claim with the order placed for it, before the transaction commits. */
    public function complete(int $linkId, int $orderId, string $incrementId): void
    {
        $this->getConnection()->update(
            $this->getMainTable(),
            ['order_id' => $orderId, 'increment_id' => $incrementId],
            ['link_id = ?' => $linkId]
        );
    }

    /** Whether another order of the store already uses the increment id. */
    public function isIncrementIdUsed(string $incrementId, int $storeId): bool
    {
        $connection = $this->getConnection();
        return (bool) $connection->fetchOne(
            $connection->select()
                ->from($this->getTable('sales_order'), ['entity_id'])
                ->where('increment_id = ?', $incrementId)
                ->where('store_id = ?', $storeId)
                ->limit(1)
        );
    }
}
