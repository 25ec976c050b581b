<?php
/**
 * One line of a channel order. Data object for the webapi.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Data;

use ChannelManager\Connector\Api\Data\ChannelOrderItemInterface;
use Magento\Framework\Api\AbstractSimpleObject;

class ChannelOrderItem extends AbstractSimpleObject implements ChannelOrderItemInterface
{
    /** @inheritdoc */
    public function getLineNumber()
    {
        return $this->_get(self::LINE_NUMBER);
    }

    /** @inheritdoc */
    public function setLineNumber($lineNumber)
    {
        return $this->setData(self::LINE_NUMBER, $lineNumber);
    }

    /** @inheritdoc */
    public function getSku()
    {
        return $this->_get(self::SKU);
    }

    /** @inheritdoc */
    public function setSku($sku)
    {
        return $this->setData(self::SKU, $sku);
    }

    /** @inheritdoc */
    public function getQty()
    {
        return $this->_get(self::QTY);
    }

    /** @inheritdoc */
    public function setQty($qty)
    {
        return $this->setData(self::QTY, $qty);
    }

    /** @inheritdoc */
    public function getPrice()
    {
        return $this->_get(self::PRICE);
    }

    /** @inheritdoc */
    public function setPrice($price)
    {
        return $this->setData(self::PRICE, $price);
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
