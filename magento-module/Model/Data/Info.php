<?php
/**
 * The answer of GET /V1/channel-manager/info. Data object for the webapi.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Data;

use ChannelManager\Connector\Api\Data\InfoInterface;
use Magento\Framework\Api\AbstractSimpleObject;

class Info extends AbstractSimpleObject implements InfoInterface
{
    /** @inheritdoc */
    public function getModule()
    {
        return $this->_get(self::MODULE);
    }

    /** @inheritdoc */
    public function setModule($module)
    {
        return $this->setData(self::MODULE, $module);
    }

    /** @inheritdoc */
    public function getVersion()
    {
        return $this->_get(self::VERSION);
    }

    /** @inheritdoc */
    public function setVersion($version)
    {
        return $this->setData(self::VERSION, $version);
    }

    /** @inheritdoc */
    public function getPaymentMethod()
    {
        return $this->_get(self::PAYMENT_METHOD);
    }

    /** @inheritdoc */
    public function setPaymentMethod($paymentMethod)
    {
        return $this->setData(self::PAYMENT_METHOD, $paymentMethod);
    }

    /** @inheritdoc */
    public function getCarrier()
    {
        return $this->_get(self::CARRIER);
    }

    /** @inheritdoc */
    public function setCarrier($carrier)
    {
        return $this->setData(self::CARRIER, $carrier);
    }

    /** @inheritdoc */
    public function getEventsEnabled()
    {
        return $this->_get(self::EVENTS_ENABLED);
    }

    /** @inheritdoc */
    public function setEventsEnabled($eventsEnabled)
    {
        return $this->setData(self::EVENTS_ENABLED, $eventsEnabled);
    }
}
