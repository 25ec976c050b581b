<?php
/**
 * The offline payment method "channelpayment": the channel (Walmart) collected the money.
 * Available only on quotes the module builds for channel orders, never at the storefront
 * (can_use_checkout = 0) nor on other admin orders.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Payment;

use ChannelManager\Connector\Model\Order\ChannelQuote;
use Magento\Payment\Model\Method\AbstractMethod;
use Magento\Quote\Api\Data\CartInterface;
use Magento\Quote\Model\Quote;

class ChannelPayment extends AbstractMethod
{
    public const CODE = 'channelpayment';

    /** @var string */
    protected $_code = self::CODE;

    /** @var bool */
    protected $_isOffline = true;

    /** @var bool */
    protected $_canUseCheckout = false;

    /** @var bool */
    protected $_canUseInternal = true;

    /**
     * Only a channel quote can use the method.
     *
     * @param CartInterface|null $quote
     * @return bool
     */
    public function isAvailable(?CartInterface $quote = null)
    {
        if (!$quote instanceof Quote || !is_array($quote->getData(ChannelQuote::FLAG))) {
            return false;
        }
        return parent::isAvailable($quote);
    }
}
