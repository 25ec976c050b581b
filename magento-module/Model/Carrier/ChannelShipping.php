<?php
/**
 * The carrier "channelshipping": the shipping the channel sold, at the channel's price.
 * Method code = the Walmart method lower-cased, title "Channel Shipping - <Walmart method>".
 * Returns a rate only for quotes the module builds for channel orders, so the storefront never
 * shows it.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Carrier;

use ChannelManager\Connector\Model\Order\ChannelQuote;
use ChannelManager\Connector\Model\Order\OrderFigures;
use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Quote\Model\Quote\Address\RateRequest;
use Magento\Quote\Model\Quote\Address\RateResult\ErrorFactory;
use Magento\Quote\Model\Quote\Address\RateResult\MethodFactory;
use Magento\Shipping\Model\Carrier\AbstractCarrier;
use Magento\Shipping\Model\Carrier\CarrierInterface;
use Magento\Shipping\Model\Rate\ResultFactory;
use Psr\Log\LoggerInterface;

class ChannelShipping extends AbstractCarrier implements CarrierInterface
{
    /** @var string */
    protected $_code = MethodMapper::CARRIER_CODE;

    /** @var bool */
    protected $_isFixed = true;

    /** @var ResultFactory */
    private $rateResultFactory;

    /** @var MethodFactory */
    private $rateMethodFactory;

    /** @var MethodMapper */
    private $methods;

    /**
     * @param array<string, mixed> $data
     */
    public function __construct(
        ScopeConfigInterface $scopeConfig,
        ErrorFactory $rateErrorFactory,
        LoggerInterface $logger,
        ResultFactory $rateResultFactory,
        MethodFactory $rateMethodFactory,
        MethodMapper $methods,
        array $data = []
    ) {
        parent::__construct($scopeConfig, $rateErrorFactory, $logger, $data);
        $this->rateResultFactory = $rateResultFactory;
        $this->rateMethodFactory = $rateMethodFactory;
        $this->methods = $methods;
    }

    /**
     * @param RateRequest $request
     * @return \Magento\Shipping\Model\Rate\Result|bool
     */
    public function collectRates(RateRequest $request)
    {
        if (!$this->getConfigFlag('active')) {
            return false;
        }
        $order = $this->channelOrder($request);
        if ($order === null) {
            return false;
        }
        $shipping = $order['shipping'];
        $amount = OrderFigures::toAmount((int) $shipping['amount']);

        $result = $this->rateResultFactory->create();
        $method = $this->rateMethodFactory->create();
        $method->setCarrier($this->_code);
        $method->setCarrierTitle((string) $this->getConfigData('title'));
        $method->setMethod($this->methods->code((string) $shipping['method']));
        $method->setMethodTitle($this->methods->title((string) $shipping['method']));
        $method->setPrice($amount);
        $method->setCost($amount);
        $result->append($method);
        return $result;
    }

    /**
     * @return array<string, string>
     */
    public function getAllowedMethods()
    {
        return $this->methods->allowedMethods();
    }

    /**
     * The normalised channel order of the quote being rated, or null for any other quote.
     *
     * @return array<string, mixed>|null
     */
    private function channelOrder(RateRequest $request): ?array
    {
        foreach ((array) $request->getAllItems() as $item) {
            $quote = $item->getQuote();
            if ($quote !== null) {
                $order = $quote->getData(ChannelQuote::FLAG);
                return is_array($order) ? $order : null;
            }
        }
        return null;
    }
}
