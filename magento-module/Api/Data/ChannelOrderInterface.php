<?php
/**
 * The "order" object of POST /V1/channel-manager/orders.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Api\Data;

/**
 * @api
 */
interface ChannelOrderInterface
{
    public const CHANNEL = 'channel';
    public const EXTERNAL_ORDER_ID = 'external_order_id';
    public const STORE_ID = 'store_id';
    public const CURRENCY_CODE = 'currency_code';
    public const INCREMENT_ID = 'increment_id';
    public const CUSTOMER = 'customer';
    public const SHIPPING_ADDRESS = 'shipping_address';
    public const BILLING_ADDRESS = 'billing_address';
    public const SHIPPING = 'shipping';
    public const ITEMS = 'items';
    public const COMMENT = 'comment';

    /**
     * Channel, e.g. "walmart".
     *
     * @return string
     */
    public function getChannel();

    /**
     * @param string $channel
     * @return $this
     */
    public function setChannel($channel);

    /**
     * Channel order id (Walmart PO number); stored as sales_order.ext_order_id.
     *
     * @return string
     */
    public function getExternalOrderId();

    /**
     * @param string $externalOrderId
     * @return $this
     */
    public function setExternalOrderId($externalOrderId);

    /**
     * Commerce store view id.
     *
     * @return int
     */
    public function getStoreId();

    /**
     * @param int $storeId
     * @return $this
     */
    public function setStoreId($storeId);

    /**
     * Order currency, e.g. "USD".
     *
     * @return string
     */
    public function getCurrencyCode();

    /**
     * @param string $currencyCode
     * @return $this
     */
    public function setCurrencyCode($currencyCode);

    /**
     * Optional increment id to use (order_number_source=walmart).
     *
     * @return string|null
     */
    public function getIncrementId();

    /**
     * @param string|null $incrementId
     * @return $this
     */
    public function setIncrementId($incrementId);

    /**
     * The buyer.
     *
     * @return \ChannelManager\Connector\Api\Data\ChannelCustomerInterface
     */
    public function getCustomer();

    /**
     * @param \ChannelManager\Connector\Api\Data\ChannelCustomerInterface $customer
     * @return $this
     */
    public function setCustomer($customer);

    /**
     * Ship-to address.
     *
     * @return \ChannelManager\Connector\Api\Data\ChannelAddressInterface
     */
    public function getShippingAddress();

    /**
     * @param \ChannelManager\Connector\Api\Data\ChannelAddressInterface $shippingAddress
     * @return $this
     */
    public function setShippingAddress($shippingAddress);

    /**
     * Bill-to address; defaults to the shipping address.
     *
     * @return \ChannelManager\Connector\Api\Data\ChannelAddressInterface|null
     */
    public function getBillingAddress();

    /**
     * @param \ChannelManager\Connector\Api\Data\ChannelAddressInterface|null $billingAddress
     * @return $this
     */
    public function setBillingAddress($billingAddress);

    /**
     * Shipping method and charges.
     *
     * @return \ChannelManager\Connector\Api\Data\ChannelShippingInterface
     */
    public function getShipping();

    /**
     * @param \ChannelManager\Connector\Api\Data\ChannelShippingInterface $shipping
     * @return $this
     */
    public function setShipping($shipping);

    /**
     * Order lines.
     *
     * @return \ChannelManager\Connector\Api\Data\ChannelOrderItemInterface[]
     */
    public function getItems();

    /**
     * @param \ChannelManager\Connector\Api\Data\ChannelOrderItemInterface[] $items
     * @return $this
     */
    public function setItems($items);

    /**
     * Status history comment; defaults to "Walmart Marketplace order <PO>".
     *
     * @return string|null
     */
    public function getComment();

    /**
     * @param string|null $comment
     * @return $this
     */
    public function setComment($comment);
}
