<?php
/**
 * Validates and normalises the body of POST /V1/channel-manager/orders (the "order" object,
 * as a plain array) before anything is written. Money comes out in minor units (cents), so
 * no float arithmetic happens on the way to the order. Framework-free.
 *
 * Output shape:
 *   channel, external_order_id, store_id (int), currency_code, increment_id (?string),
 *   customer {email, firstname, lastname, mode: guest|account},
 *   shipping_address / billing_address {firstname, lastname, street: string[], city,
 *     region_code (?string), postcode, country_id, telephone},
 *   shipping {method, method_code, method_title, shipping_method, amount, tax_amount} (cents),
 *   items [{line_number, sku, qty (int), price, tax_amount (cents)}],
 *   comment (string)
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Order;

use ChannelManager\Connector\Model\Carrier\MethodMapper;

final class ChannelOrderNormaliser
{
    public const MODE_GUEST = 'guest';
    public const MODE_ACCOUNT = 'account';

    private const ADDRESS_REQUIRED = ['firstname', 'lastname', 'street', 'city', 'postcode', 'country_id', 'telephone'];

    /** @var MethodMapper */
    private $methods;

    public function __construct(?MethodMapper $methods = null)
    {
        $this->methods = $methods ?? new MethodMapper();
    }

    /**
     * @param array<string, mixed> $order
     * @return array<string, mixed>
     * @throws InvalidChannelOrder
     */
    public function normalise(array $order): array
    {
        $channel = strtolower($this->requiredString($order, 'channel', 'channel'));
        if (preg_match('/^[a-z0-9_-]{1,32}$/', $channel) !== 1) {
            throw InvalidChannelOrder::invalid('channel', $order['channel']);
        }
        $externalId = $this->requiredString($order, 'external_order_id', 'external_order_id');
        if (strlen($externalId) > 255) {
            throw InvalidChannelOrder::invalid('external_order_id', $externalId);
        }
        $storeId = $this->requiredInt($order, 'store_id', 'store_id');
        $currency = strtoupper($this->requiredString($order, 'currency_code', 'currency_code'));
        if (preg_match('/^[A-Z]{3}$/', $currency) !== 1) {
            throw InvalidChannelOrder::invalid('currency_code', $order['currency_code']);
        }
        $incrementId = $this->optionalString($order, 'increment_id');
        if ($incrementId !== null && preg_match('/^[A-Za-z0-9_-]{1,32}$/', $incrementId) !== 1) {
            throw InvalidChannelOrder::invalid('increment_id', $incrementId);
        }

        $shippingAddress = $this->address($this->requiredArray($order, 'shipping_address', 'shipping_address'), 'shipping_address');
        $billing = $order['billing_address'] ?? null;
        $billingAddress = ($billing === null || $billing === [])
            ? $shippingAddress
            : $this->address($this->requiredArray($order, 'billing_address', 'billing_address'), 'billing_address');

        $comment = $this->optionalString($order, 'comment');
        if ($comment === null) {
            $comment = ($channel === 'walmart' ? 'Walmart Marketplace' : ucfirst($channel)) . ' order ' . $externalId;
        }

        return [
            'channel' => $channel,
            'external_order_id' => $externalId,
            'store_id' => $storeId,
            'currency_code' => $currency,
            'increment_id' => $incrementId,
            'customer' => $this->customer($this->requiredArray($order, 'customer', 'customer')),
            'shipping_address' => $shippingAddress,
            'billing_address' => $billingAddress,
            'shipping' => $this->shipping($this->requiredArray($order, 'shipping', 'shipping')),
            'items' => $this->items($order),
            'comment' => $comment,
        ];
    }

    /**
     * @param array<string, mixed> $customer
     * @return array<string, string>
     */
    private function customer(array $customer): array
    {
        $email = $this->requiredString($customer, 'email', 'customer.email');
        if (filter_var($email, FILTER_VALIDATE_EMAIL) === false) {
            throw InvalidChannelOrder::invalid('customer.email', $email);
        }
        $mode = strtolower($this->optionalString($customer, 'mode', 'customer.mode') ?? self::MODE_GUEST);
        if ($mode !== self::MODE_GUEST && $mode !== self::MODE_ACCOUNT) {
            throw InvalidChannelOrder::invalid('customer.mode', $customer['mode']);
        }
        return [
            'email' => $email,
            'firstname' => $this->requiredString($customer, 'firstname', 'customer.firstname'),
            'lastname' => $this->requiredString($customer, 'lastname', 'customer.lastname'),
            'mode' => $mode,
        ];
    }

    /**
     * @param array<string, mixed> $address
     * @return array<string, mixed>
     */
    private function address(array $address, string $path): array
    {
        $out = [];
        foreach (self::ADDRESS_REQUIRED as $key) {
            if ($key === 'street') {
                $street = $address['street'] ?? null;
                if (is_string($street)) {
                    $street = [$street];
                }
                if (!is_array($street)) {
                    throw InvalidChannelOrder::required($path . '.street');
                }
                $lines = [];
                foreach ($street as $line) {
                    if (!is_scalar($line)) {
                        throw InvalidChannelOrder::invalid($path . '.street', $street);
                    }
                    if (trim((string) $line) !== '') {
                        $lines[] = trim((string) $line);
                    }
                }
                if ($lines === []) {
                    throw InvalidChannelOrder::required($path . '.street');
                }
                $out['street'] = $lines;
                continue;
            }
            $out[$key] = $this->requiredString($address, $key, $path . '.' . $key);
        }
        $country = strtoupper($out['country_id']);
        if (preg_match('/^[A-Z]{2}$/', $country) !== 1) {
            throw InvalidChannelOrder::invalid($path . '.country_id', $out['country_id']);
        }
        $out['country_id'] = $country;
        $out['region_code'] = $this->optionalString($address, 'region_code', $path . '.region_code');
        return $out;
    }

    /**
     * @param array<string, mixed> $shipping
     * @return array<string, mixed>
     */
    private function shipping(array $shipping): array
    {
        $method = $this->requiredString($shipping, 'method', 'shipping.method');
        if (!$this->methods->isValid($method)) {
            throw InvalidChannelOrder::invalid('shipping.method', $method);
        }
        return [
            'method' => $method,
            'method_code' => $this->methods->code($method),
            'method_title' => $this->methods->title($method),
            'shipping_method' => $this->methods->shippingMethod($method),
            'amount' => $this->money($shipping, 'amount', 'shipping.amount', true),
            'tax_amount' => $this->money($shipping, 'tax_amount', 'shipping.tax_amount', false),
        ];
    }

    /**
     * @param array<string, mixed> $order
     * @return list<array<string, mixed>>
     */
    private function items(array $order): array
    {
        $items = $order['items'] ?? null;
        if (!is_array($items) || $items === []) {
            throw InvalidChannelOrder::required('items');
        }
        $out = [];
        $seen = [];
        foreach (array_values($items) as $index => $item) {
            $path = 'items[' . $index . ']';
            if (!is_array($item)) {
                throw InvalidChannelOrder::invalid($path, $item);
            }
            $line = $this->requiredString($item, 'line_number', $path . '.line_number');
            if (isset($seen[$line])) {
                throw InvalidChannelOrder::invalid($path . '.line_number', $line);
            }
            $seen[$line] = true;
            $qty = $item['qty'] ?? null;
            if ($qty === null || $qty === '') {
                throw InvalidChannelOrder::required($path . '.qty');
            }
            if (!is_numeric($qty) || (float) $qty <= 0 || floor((float) $qty) != (float) $qty) {
                throw InvalidChannelOrder::invalid($path . '.qty', $qty);
            }
            $out[] = [
                'line_number' => $line,
                'sku' => $this->requiredString($item, 'sku', $path . '.sku'),
                'qty' => (int) $qty,
                'price' => $this->money($item, 'price', $path . '.price', true),
                'tax_amount' => $this->money($item, 'tax_amount', $path . '.tax_amount', false),
            ];
        }
        return $out;
    }

    /**
     * A non-negative amount with at most two decimals, in cents.
     *
     * @param array<string, mixed> $data
     */
    private function money(array $data, string $key, string $path, bool $required): int
    {
        $value = $data[$key] ?? null;
        if ($value === null || $value === '') {
            if ($required) {
                throw InvalidChannelOrder::required($path);
            }
            return 0;
        }
        if (is_bool($value) || !is_numeric($value)) {
            throw InvalidChannelOrder::invalid($path, $value);
        }
        $cents = round((float) $value * 100);
        if ($cents < 0 || abs((float) $value * 100 - $cents) > 1e-6 || $cents > PHP_INT_MAX / 1000) {
            throw InvalidChannelOrder::invalid($path, $value);
        }
        return (int) $cents;
    }

    /** @param array<string, mixed> $data */
    private function requiredString(array $data, string $key, string $path): string
    {
        $value = $data[$key] ?? null;
        if ($value === null || (is_string($value) && trim($value) === '')) {
            throw InvalidChannelOrder::required($path);
        }
        if (!is_string($value) && !is_int($value)) {
            throw InvalidChannelOrder::invalid($path, $value);
        }
        return trim((string) $value);
    }

    /** @param array<string, mixed> $data */
    private function optionalString(array $data, string $key, ?string $path = null): ?string
    {
        $value = $data[$key] ?? null;
        if ($value === null || (is_string($value) && trim($value) === '')) {
            return null;
        }
        if (!is_string($value) && !is_int($value)) {
            throw InvalidChannelOrder::invalid($path ?? $key, $value);
        }
        return trim((string) $value);
    }

    /** @param array<string, mixed> $data */
    private function requiredInt(array $data, string $key, string $path): int
    {
        $value = $data[$key] ?? null;
        if ($value === null || $value === '') {
            throw InvalidChannelOrder::required($path);
        }
        if (is_bool($value) || filter_var($value, FILTER_VALIDATE_INT) === false || (int) $value < 0) {
            throw InvalidChannelOrder::invalid($path, $value);
        }
        return (int) $value;
    }

    /**
     * @param array<string, mixed> $data
     * @return array<string, mixed>
     */
    private function requiredArray(array $data, string $key, string $path): array
    {
        $value = $data[$key] ?? null;
        if ($value === null || $value === []) {
            throw InvalidChannelOrder::required($path);
        }
        if (!is_array($value)) {
            throw InvalidChannelOrder::invalid($path, $value);
        }
        return $value;
    }
}
