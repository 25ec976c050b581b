<?php
/**
 * Builds the quote of a channel order from the normalised request: products by SKU (enabled,
 * in the store's website, salable for the requested qty), each line at the channel's price as
 * its custom price, the buyer as guest or account, the addresses, the channelshipping rate at
 * the channel's shipping price and the channelpayment method. The quote is flagged as a channel
 * quote in memory (ChannelQuote::FLAG) and saved, ready for QuoteManagement::submit().
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Order;

use ChannelManager\Connector\Model\Payment\ChannelPayment;
use Magento\Catalog\Api\Data\ProductInterface;
use Magento\Catalog\Api\ProductRepositoryInterface;
use Magento\Catalog\Model\Product\Attribute\Source\Status as ProductStatus;
use Magento\Catalog\Model\Product\Type as ProductType;
use Magento\Customer\Api\Data\GroupInterface;
use Magento\Directory\Model\RegionFactory;
use Magento\Framework\DataObject;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\InventorySalesApi\Api\IsProductSalableForRequestedQtyInterface;
use Magento\InventorySalesApi\Model\StockByWebsiteIdResolverInterface;
use Magento\Payment\Model\Method\AbstractMethod;
use Magento\Quote\Api\CartManagementInterface;
use Magento\Quote\Api\CartRepositoryInterface;
use Magento\Quote\Model\Quote;
use Magento\Quote\Model\QuoteFactory;
use Magento\Store\Api\Data\StoreInterface;
use Magento\Store\Model\StoreManagerInterface;

class QuoteBuilder
{
    /** Product types a channel line can name by SKU. */
    private const ORDERABLE_TYPES = [ProductType::TYPE_SIMPLE, ProductType::TYPE_VIRTUAL];

    /** @var QuoteFactory */
    private $quoteFactory;

    /** @var CartRepositoryInterface */
    private $quotes;

    /** @var StoreManagerInterface */
    private $storeManager;

    /** @var ProductRepositoryInterface */
    private $products;

    /** @var IsProductSalableForRequestedQtyInterface */
    private $isSalable;

    /** @var StockByWebsiteIdResolverInterface */
    private $stockByWebsite;

    /** @var CustomerResolver */
    private $customers;

    /** @var RegionFactory */
    private $regionFactory;

    public function __construct(
        QuoteFactory $quoteFactory,
        CartRepositoryInterface $quotes,
        StoreManagerInterface $storeManager,
        ProductRepositoryInterface $products,
        IsProductSalableForRequestedQtyInterface $isSalable,
        StockByWebsiteIdResolverInterface $stockByWebsite,
        CustomerResolver $customers,
        RegionFactory $regionFactory
    ) {
        $this->quoteFactory = $quoteFactory;
        $this->quotes = $quotes;
        $this->storeManager = $storeManager;
        $this->products = $products;
        $this->isSalable = $isSalable;
        $this->stockByWebsite = $stockByWebsite;
        $this->customers = $customers;
        $this->regionFactory = $regionFactory;
    }

    /**
     * @param array<string, mixed> $order ChannelOrderNormaliser output
     * @throws LocalizedException naming the cause (SKU, qty, store, currency, method)
     */
    public function build(array $order): Quote
    {
        $store = $this->store((int) $order['store_id'], (string) $order['currency_code']);
        $products = $this->products($order['items'], $store);

        /** @var Quote $quote */
        $quote = $this->quoteFactory->create();
        $quote->setStore($store);
        $quote->setData(ChannelQuote::FLAG, $order);
        $quote->setInventoryProcessed(false);
        $this->assignBuyer($quote, $order['customer'], $store);

        foreach ($order['items'] as $index => $line) {
            $product = $products[$index];
            // A distinct option per line keeps two lines of the same SKU as two quote items.
            $product->addCustomOption(ChannelQuote::LINE_OPTION, (string) $line['line_number']);
            try {
                $item = $quote->addProduct($product, new DataObject(['qty' => $line['qty']]));
            } catch (LocalizedException $e) {
                throw new LocalizedException(
                    __('Product "%1" cannot be ordered: %2', $line['sku'], $e->getMessage()),
                    $e
                );
            }
            if (is_string($item)) {
                throw new LocalizedException(__('Product "%1" cannot be ordered: %2', $line['sku'], $item));
            }
            $price = OrderFigures::toAmount((int) $line['price']);
            $item->setCustomPrice($price);
            $item->setOriginalCustomPrice($price);
            $item->getProduct()->setIsSuperMode(true);
        }

        $email = (string) $order['customer']['email'];
        $quote->getBillingAddress()->addData($this->addressData($order['billing_address'], $email));
        $shippingAddress = $quote->getShippingAddress();
        $shippingAddress->addData($this->addressData($order['shipping_address'], $email));
        $shippingAddress->setShippingMethod((string) $order['shipping']['shipping_method']);
        $shippingAddress->setCollectShippingRates(true);

        if ($order['increment_id'] !== null) {
            $quote->setReservedOrderId((string) $order['increment_id']);
        }
        $quote->collectTotals();
        if (!$shippingAddress->getShippingRateByCode((string) $order['shipping']['shipping_method'])) {
            throw new LocalizedException(__(
                'The shipping method "%1" is not available: check that the Channel Shipping carrier is enabled.',
                $order['shipping']['shipping_method']
            ));
        }
        foreach ($quote->getAllItems() as $item) {
            if ($item->getHasError()) {
                throw new LocalizedException(__('Product "%1" cannot be ordered: %2', $item->getSku(), $item->getMessage()));
            }
        }

        $quote->getPayment()->importData([
            'method' => ChannelPayment::CODE,
            'checks' => [
                AbstractMethod::CHECK_USE_INTERNAL,
                AbstractMethod::CHECK_USE_FOR_COUNTRY,
                AbstractMethod::CHECK_USE_FOR_CURRENCY,
                AbstractMethod::CHECK_ORDER_TOTAL_MIN_MAX,
            ],
        ]);
        $this->quotes->save($quote);
        return $quote;
    }

    private function store(int $storeId, string $currency): StoreInterface
    {
        try {
            $store = $this->storeManager->getStore($storeId);
        } catch (NoSuchEntityException $e) {
            throw InputException::invalidFieldValue('store_id', $storeId);
        }
        if (!in_array($currency, $store->getAvailableCurrencyCodes(true), true)) {
            throw new LocalizedException(__('The currency "%1" is not available in store %2.', $currency, $storeId));
        }
        $store->setCurrentCurrencyCode($currency);
        return $store;
    }

    /**
     * One fresh product instance per line, checked before anything is added; the salable check
     * sums the lines of each SKU.
     *
     * @param list<array<string, mixed>> $lines
     * @return list<ProductInterface&\Magento\Catalog\Model\Product>
     */
    private function products(array $lines, StoreInterface $store): array
    {
        $websiteId = (int) $store->getWebsiteId();
        $products = [];
        $qtyBySku = [];
        foreach ($lines as $index => $line) {
            $sku = (string) $line['sku'];
            try {
                $product = $this->products->get($sku, false, (int) $store->getId(), true);
            } catch (NoSuchEntityException $e) {
                throw new LocalizedException(__('The product with SKU "%1" does not exist.', $sku), $e);
            }
            if ((int) $product->getStatus() !== ProductStatus::STATUS_ENABLED) {
                throw new LocalizedException(__('Product "%1" is disabled.', $sku));
            }
            if (!in_array($product->getTypeId(), self::ORDERABLE_TYPES, true)) {
                throw new LocalizedException(__(
                    'Product "%1" is a %2 product; a channel line must name a simple product\'s SKU.',
                    $sku,
                    $product->getTypeId()
                ));
            }
            if (!in_array($websiteId, array_map('intval', (array) $product->getWebsiteIds()), true)) {
                throw new LocalizedException(__('Product "%1" is not assigned to the website of store %2.', $sku, $store->getId()));
            }
            $products[$index] = $product;
            $qtyBySku[$product->getSku()] = ($qtyBySku[$product->getSku()] ?? 0) + (int) $line['qty'];
        }
        $stockId = (int) $this->stockByWebsite->execute($websiteId)->getStockId();
        foreach ($qtyBySku as $sku => $qty) {
            if (!$this->isSalable->execute((string) $sku, $stockId, (float) $qty)->isSalable()) {
                throw new LocalizedException(__('The requested qty of "%1" is not available.', $sku));
            }
        }
        return $products;
    }

    /**
     * @param array{email: string, firstname: string, lastname: string, mode: string} $buyer
     */
    private function assignBuyer(Quote $quote, array $buyer, StoreInterface $store): void
    {
        if ($buyer['mode'] === ChannelOrderNormaliser::MODE_ACCOUNT) {
            $quote->assignCustomer($this->customers->resolve($buyer, $store));
            $quote->setCustomerIsGuest(false);
            $quote->setCheckoutMethod(CartManagementInterface::METHOD_CUSTOMER);
            return;
        }
        $quote->setCustomerId(null);
        $quote->setCustomerIsGuest(true);
        $quote->setCustomerEmail($buyer['email']);
        $quote->setCustomerFirstname($buyer['firstname']);
        $quote->setCustomerLastname($buyer['lastname']);
        $quote->setCustomerGroupId(GroupInterface::NOT_LOGGED_IN_ID);
        $quote->setCheckoutMethod(CartManagementInterface::METHOD_GUEST);
    }

    /**
     * @param array<string, mixed> $address
     * @return array<string, mixed>
     */
    private function addressData(array $address, string $email): array
    {
        $data = [
            'firstname' => $address['firstname'],
            'lastname' => $address['lastname'],
            'street' => implode("\n", $address['street']),
            'city' => $address['city'],
            'postcode' => $address['postcode'],
            'country_id' => $address['country_id'],
            'telephone' => $address['telephone'],
            'email' => $email,
            'save_in_address_book' => 0,
            'same_as_billing' => 0,
        ];
        if ($address['region_code'] !== null) {
            $region = $this->regionFactory->create()->loadByCode($address['region_code'], $address['country_id']);
            if ($region->getId()) {
                $data['region_id'] = (int) $region->getId();
                $data['region'] = $region->getName();
                $data['region_code'] = $region->getCode();
            } else {
                $data['region'] = $address['region_code'];
            }
        }
        return $data;
    }
}
