<?php
/**
 * The shipping of a channel order. Data object for the webapi.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Data;

use ChannelManager\Connector\Api\Data\ChannelShippingInterface;
use Magento\Framework\Api\AbstractSimpleObject;

class ChannelShipping extends AbstractSimpleObject implements ChannelShippingInterface
{
    /** @inheritdoc */
    public function getMethod()
    {
        return $this->_get(self::METHOD);
    }

    /** @inheritdoc */
    public function setMethod($method)
    {
        return $this->setData(self::METHOD, $method);
    }

    /** @inheritdoc */
    public function getAmount()
    {
        return $this->_get(self::AMOUNT);
    }

    /** @inheritdoc */
    public function setAmount($amount)
    {
        return $this->setData(self::AMOUNT, $amount);
    }

    /** @inheritdoc */
    public function getTaxAmount()
    {
        return $this->_get(self::TAX_AMOUNT);
    }

    /** @inheritdoc */
    public function setTaxAmount($taxAmount)
    {
        return $this->setData(self::TAX_AMOUNT, $taxAmount);
    }
}
