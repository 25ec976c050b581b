<?php
/**
 * The "order" object of POST /V1/channel-manager/orders. Data object for the webapi.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Data;

use ChannelManager\Connector\Api\Data\ChannelOrderInterface;
use Magento\Framework\Api\AbstractSimpleObject;

class ChannelOrder extends AbstractSimpleObject implements ChannelOrderInterface
{
    /** @inheritdoc */
    public function getChannel()
    {
        return $this->_get(self::CHANNEL);
    }

    /** @inheritdoc */
    public function setChannel($channel)
    {
        return $this->setData(self::CHANNEL, $channel);
    }

    /** @inheritdoc */
    public function getExternalOrderId()
    {
        return $this->_get(self::EXTERNAL_ORDER_ID);
    }

    /** @inheritdoc */
    public function setExternalOrderId($externalOrderId)
    {
        return $this->setData(self::EXTERNAL_ORDER_ID, $externalOrderId);
    }

    /** @inheritdoc */
    public function getStoreId()
    {
        return $this->_get(self::STORE_ID);
    }

    /** @inheritdoc */
    public function setStoreId($storeId)
    {
        return $this->setData(self::STORE_ID, $storeId);
    }

    /** @inheritdoc */
    public function getCurrencyCode()
    {
        return $this->_get(self::CURRENCY_CODE);
    }

    /** @inheritdoc */
    public function setCurrencyCode($currencyCode)
    {
        return $this->setData(self::CURRENCY_CODE, $currencyCode);
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
    public function getCustomer()
    {
        return $this->_get(self::CUSTOMER);
    }

    /** @inheritdoc */
    public function setCustomer($customer)
    {
        return $this->setData(self::CUSTOMER, $customer);
    }

    /** @inheritdoc */
    public function getShippingAddress()
    {
        return $this->_get(self::SHIPPING_ADDRESS);
    }

    /** @inheritdoc */
    public function setShippingAddress($shippingAddress)
    {
        return $this->setData(self::SHIPPING_ADDRESS, $shippingAddress);
    }

    /** @inheritdoc */
    public function getBillingAddress()
    {
        return $this->_get(self::BILLING_ADDRESS);
    }

    /** @inheritdoc */
    public function setBillingAddress($billingAddress)
    {
        return $this->setData(self::BILLING_ADDRESS, $billingAddress);
    }

    /** @inheritdoc */
    public function getShipping()
    {
        return $this->_get(self::SHIPPING);
    }

    /** @inheritdoc */
    public function setShipping($shipping)
    {
        return $this->setData(self::SHIPPING, $shipping);
    }

    /** @inheritdoc */
    public function getItems()
    {
        return $this->_get(self::ITEMS);
    }

    /** @inheritdoc */
    public function setItems($items)
    {
        return $this->setData(self::ITEMS, $items);
    }

    /** @inheritdoc */
    public function getComment()
    {
        return $this->_get(self::COMMENT);
    }

    /** @inheritdoc */
    public function setComment($comment)
    {
        return $this->setData(self::COMMENT, $comment);
    }
}
