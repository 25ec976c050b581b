<?php
/**
 * The shipping of a channel order.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Api\Data;

/**
 * @api
 */
interface ChannelShippingInterface
{
    public const METHOD = 'method';
    public const AMOUNT = 'amount';
    public const TAX_AMOUNT = 'tax_amount';

    /**
     * Walmart shipping method, e.g. "Standard"; the carrier method is channelshipping_<method lower-cased>.
     *
     * @return string
     */
    public function getMethod();

    /**
     * @param string $method
     * @return $this
     */
    public function setMethod($method);

    /**
     * Shipping charge (tax excluded).
     *
     * @return float
     */
    public function getAmount();

    /**
     * @param float $amount
     * @return $this
     */
    public function setAmount($amount);

    /**
     * Tax on the shipping charge.
     *
     * @return float|null
     */
    public function getTaxAmount();

    /**
     * @param float|null $taxAmount
     * @return $this
     */
    public function setTaxAmount($taxAmount);
}
