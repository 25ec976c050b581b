<?php
/**
 * sales_model_service_quote_submit_before: when a channel quote becomes an order, writes the
 * channel's ids and figures onto it before it is saved: ext_order_id (the Walmart PO), each
 * item's ext_order_item_id (the Walmart line number), each line's price, row total and tax as
 * the channel charged them, the shipping amount and tax, the order totals, the shipping
 * description "Channel Shipping - <method>" and a status history comment.
 *
 * Tax is taken as given: the amounts replace what the store's tax rules computed, and Commerce's
 * per-rate tax breakdown (sales_order_tax) is left empty for these orders. Discounts are not
 * applied to channel orders.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Observer;

use ChannelManager\Connector\Model\Order\ChannelQuote;
use ChannelManager\Connector\Model\Order\OrderFigures;
use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Magento\Framework\Exception\LocalizedException;
use Magento\Quote\Model\Quote;
use Magento\Sales\Model\Order;

class ApplyChannelOrder implements ObserverInterface
{
    /** @var OrderFigures */
    private $figures;

    public function __construct(OrderFigures $figures)
    {
        $this->figures = $figures;
    }

    /**
     * @param Observer $observer
     * @return void
     * @throws LocalizedException when an order item matches no channel line
     */
    public function execute(Observer $observer)
    {
        /** @var Quote $quote */
        $quote = $observer->getEvent()->getData('quote');
        /** @var Order $order */
        $order = $observer->getEvent()->getData('order');
        $request = $quote ? $quote->getData(ChannelQuote::FLAG) : null;
        if (!is_array($request) || !$order) {
            return;
        }
        $figures = $this->figures->compute($request['items'], $request['shipping']);
        $rate = (float) $order->getBaseToOrderRate() > 0 ? (float) $order->getBaseToOrderRate() : 1.0;
        $amount = static function (int $cents): float {
            return OrderFigures::toAmount($cents);
        };
        $base = static function (int $cents) use ($rate): float {
            return round(OrderFigures::toAmount($cents) / $rate, 2);
        };

        $order->setExtOrderId((string) $request['external_order_id']);
        foreach ($order->getItems() as $orderItem) {
            if ($orderItem->getParentItem()) {
                continue;
            }
            $line = $this->lineNumber($quote, (int) $orderItem->getQuoteItemId());
            if ($line === null || !isset($figures['lines'][$line])) {
                throw new LocalizedException(__('Order item "%1" matches no line of the channel order.', $orderItem->getSku()));
            }
            $f = $figures['lines'][$line];
            $orderItem->setExtOrderItemId($line);
            $orderItem->setPrice($amount($f['price']));
            $orderItem->setBasePrice($base($f['price']));
            $orderItem->setRowTotal($amount($f['row_total']));
            $orderItem->setBaseRowTotal($base($f['row_total']));
            $orderItem->setTaxAmount($amount($f['tax_amount']));
            $orderItem->setBaseTaxAmount($base($f['tax_amount']));
            $orderItem->setTaxPercent($f['tax_percent']);
            $orderItem->setPriceInclTax($amount($f['price_incl_tax']));
            $orderItem->setBasePriceInclTax($base($f['price_incl_tax']));
            $orderItem->setRowTotalInclTax($amount($f['row_total_incl_tax']));
            $orderItem->setBaseRowTotalInclTax($base($f['row_total_incl_tax']));
            $orderItem->setDiscountAmount(0.0);
            $orderItem->setBaseDiscountAmount(0.0);
            $orderItem->setDiscountTaxCompensationAmount(0.0);
            $orderItem->setBaseDiscountTaxCompensationAmount(0.0);
            $orderItem->setAppliedRuleIds(null);
        }

        $t = $figures['totals'];
        $order->setSubtotal($amount($t['subtotal']));
        $order->setBaseSubtotal($base($t['subtotal']));
        $order->setSubtotalInclTax($amount($t['subtotal_incl_tax']));
        $order->setBaseSubtotalInclTax($base($t['subtotal_incl_tax']));
        $order->setShippingAmount($amount($t['shipping_amount']));
        $order->setBaseShippingAmount($base($t['shipping_amount']));
        $order->setShippingTaxAmount($amount($t['shipping_tax_amount']));
        $order->setBaseShippingTaxAmount($base($t['shipping_tax_amount']));
        $order->setShippingInclTax($amount($t['shipping_incl_tax']));
        $order->setBaseShippingInclTax($base($t['shipping_incl_tax']));
        $order->setTaxAmount($amount($t['tax_amount']));
        $order->setBaseTaxAmount($base($t['tax_amount']));
        $order->setDiscountAmount(0.0);
        $order->setBaseDiscountAmount(0.0);
        $order->setShippingDiscountAmount(0.0);
        $order->setBaseShippingDiscountAmount(0.0);
        $order->setDiscountTaxCompensationAmount(0.0);
        $order->setBaseDiscountTaxCompensationAmount(0.0);
        $order->setAppliedRuleIds(null);
        $order->setGrandTotal($amount($t['grand_total']));
        $order->setBaseGrandTotal($base($t['grand_total']));
        $order->setShippingDescription((string) $request['shipping']['method_title']);
        $extension = $order->getExtensionAttributes();
        if ($extension !== null && method_exists($extension, 'setAppliedTaxes')) {
            $extension->setAppliedTaxes([]);
            $extension->setItemAppliedTaxes([]);
        }
        $order->addCommentToStatusHistory((string) $request['comment']);
    }

    private function lineNumber(Quote $quote, int $quoteItemId): ?string
    {
        $quoteItem = $quote->getItemById($quoteItemId);
        $option = $quoteItem ? $quoteItem->getOptionByCode(ChannelQuote::LINE_OPTION) : null;
        return $option ? (string) $option->getValue() : null;
    }
}
