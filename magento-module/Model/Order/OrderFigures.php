<?php
/**
 * The money figures of a channel order exactly as the channel charged them: each line's price,
 * row total and tax, the shipping amount and its tax, and the order totals, all in minor units
 * (cents), so the order's totals add up to the cent. The submit observer writes these onto the
 * order in place of whatever the store's own tax rules would compute. Framework-free.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Order;

final class OrderFigures
{
    /**
     * @param list<array{line_number: string, qty: int, price: int, tax_amount: int}> $items
     * @param array{amount: int, tax_amount: int} $shipping
     * @return array{
     *   lines: array<string, array{qty: int, price: int, row_total: int, tax_amount: int,
     *     price_incl_tax: int, row_total_incl_tax: int, tax_percent: float}>,
     *   totals: array{subtotal: int, subtotal_incl_tax: int, items_tax_amount: int,
     *     shipping_amount: int, shipping_tax_amount: int, shipping_incl_tax: int,
     *     tax_amount: int, grand_total: int, total_qty: int}
     * }
     */
    public function compute(array $items, array $shipping): array
    {
        $lines = [];
        $subtotal = 0;
        $itemsTax = 0;
        $qtyTotal = 0;
        foreach ($items as $item) {
            $qty = (int) $item['qty'];
            if ($qty <= 0) {
                throw new \InvalidArgumentException('A line needs a positive quantity.');
            }
            $rowTotal = $item['price'] * $qty;
            $tax = $item['tax_amount'];
            $lines[(string) $item['line_number']] = [
                'qty' => $qty,
                'price' => $item['price'],
                'row_total' => $rowTotal,
                'tax_amount' => $tax,
                'price_incl_tax' => (int) round(($rowTotal + $tax) / $qty),
                'row_total_incl_tax' => $rowTotal + $tax,
                'tax_percent' => $rowTotal > 0 ? round($tax * 100 / $rowTotal, 4) : 0.0,
            ];
            $subtotal += $rowTotal;
            $itemsTax += $tax;
            $qtyTotal += $qty;
        }
        $shippingAmount = $shipping['amount'];
        $shippingTax = $shipping['tax_amount'];
        $tax = $itemsTax + $shippingTax;
        return [
            'lines' => $lines,
            'totals' => [
                'subtotal' => $subtotal,
                'subtotal_incl_tax' => $subtotal + $itemsTax,
                'items_tax_amount' => $itemsTax,
                'shipping_amount' => $shippingAmount,
                'shipping_tax_amount' => $shippingTax,
                'shipping_incl_tax' => $shippingAmount + $shippingTax,
                'tax_amount' => $tax,
                'grand_total' => $subtotal + $shippingAmount + $tax,
                'total_qty' => $qtyTotal,
            ],
        ];
    }

    /** Cents to the decimal amount Magento stores: 799 -> 7.99. */
    public static function toAmount(int $cents): float
    {
        return round($cents / 100, 2);
    }
}
