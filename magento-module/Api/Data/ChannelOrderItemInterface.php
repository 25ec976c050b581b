<?php
/**
 * One line of a channel order.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Api\Data;

/**
 * @api
 */
interface ChannelOrderItemInterface
{
    public const LINE_NUMBER = 'line_number';
    public const SKU = 'sku';
    public const QTY = 'qty';
    public const PRICE = 'price';
    public const TAX_AMOUNT = 'tax_amount';

    /**
     * Channel line number; stored as the order item's ext_order_item_id.
     *
     * @return string
     */
    public function getLineNumber();

    /**
     * @param string $lineNumber
     * @return $this
     */
    public function setLineNumber($lineNumber);

    /**
     * Commerce product SKU (simple product).
     *
     * @return string
     */
    public function getSku();

    /**
     * @param string $sku
     * @return $this
     */
    public function setSku($sku);

    /**
     * Quantity.
     *
     * @return float
     */
    public function getQty();

    /**
     * @param float $qty
     * @return $this
     */
    public function setQty($qty);

    /**
     * Unit price charged by the channel (tax excluded); the quote item's custom price.
     *
     * @return float
     */
    public function getPrice();

    /**
     * @param float $price
     * @return $this
     */
    public function setPrice($price);

    /**
     * Tax of the whole line, taken as given.
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
