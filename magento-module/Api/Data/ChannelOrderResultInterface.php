<?php
/**
 * The answer of POST /V1/channel-manager/orders.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Api\Data;

/**
 * @api
 */
interface ChannelOrderResultInterface
{
    public const ENTITY_ID = 'entity_id';
    public const INCREMENT_ID = 'increment_id';
    public const CREATED = 'created';

    /**
     * Sales order entity id.
     *
     * @return int
     */
    public function getEntityId();

    /**
     * @param int $entityId
     * @return $this
     */
    public function setEntityId($entityId);

    /**
     * Sales order increment id.
     *
     * @return string
     */
    public function getIncrementId();

    /**
     * @param string $incrementId
     * @return $this
     */
    public function setIncrementId($incrementId);

    /**
     * True when this call placed the order, false when it already existed.
     *
     * @return bool
     */
    public function getCreated();

    /**
     * @param bool $created
     * @return $this
     */
    public function setCreated($created);
}
