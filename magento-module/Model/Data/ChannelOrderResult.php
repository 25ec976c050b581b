<?php
/**
 * The answer of POST /V1/channel-manager/orders. Data object for the webapi.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Data;

use ChannelManager\Connector\Api\Data\ChannelOrderResultInterface;
use Magento\Framework\Api\AbstractSimpleObject;

class ChannelOrderResult extends AbstractSimpleObject implements ChannelOrderResultInterface
{
    /** @inheritdoc */
    public function getEntityId()
    {
        return $this->_get(self::ENTITY_ID);
    }

    /** @inheritdoc */
    public function setEntityId($entityId)
    {
        return $this->setData(self::ENTITY_ID, $entityId);
    }

    /** @inheritdoc */
    public function getIncrementId()
    {
        return $this->_get(self::INCREMENT_ID);
    }

    /** @inheritdoc */
    public function setIncrementId($incrementId)
    {
        return $this->setData(self::INCREMENT_ID, $incrementId);
    }

    /** @inheritdoc */
    public function getCreated()
    {
        return $this->_get(self::CREATED);
    }

    /** @inheritdoc */
    public function setCreated($created)
    {
        return $this->setData(self::CREATED, $created);
    }
}
