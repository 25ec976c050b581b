<?php
declare(strict_types=1);

namespace ChannelManager\Connector\Test\Unit\Model\Order;

use ChannelManager\Connector\Model\Order\ChannelOrderNormaliser;
use ChannelManager\Connector\Model\Order\InvalidChannelOrder;
use PHPUnit\Framework\TestCase;

final class ChannelOrderNormaliserTest extends TestCase
{
    /** The contract's example request. @return array<string, mixed> */
    private function order(): array
    {
        return [
            'channel' => 'walmart',
            'external_order_id' => '1796277083022',
            'store_id' => 1,
            'currency_code' => 'USD',
            'increment_id' => null,
            'customer' => ['email' => 'x@relay.walmart.com', 'firstname' => 'Jane', 'lastname' => 'Doe', 'mode' => 'guest'],
            'shipping_address' => [
                'firstname' => 'Jane', 'lastname' => 'Doe', 'street' => ['1 Main St', 'Apt 2'], 'city' => 'Bentonville',
                'region_code' => 'AR', 'postcode' => '72712', 'country_id' => 'US', 'telephone' => '4795550100',
            ],
            'shipping' => ['method' => 'Standard', 'amount' => 5.00, 'tax_amount' => 0.40],
            'items' => [['line_number' => '1', 'sku' => 'MUG-1', 'qty' => 2, 'price' => 7.99, 'tax_amount' => 1.28]],
            'comment' => 'Walmart Marketplace order 1796277083022',
        ];
    }

    public function testTheContractsExampleNormalises(): void
    {
        $out = (new ChannelOrderNormaliser())->normalise($this->order());
        self::assertSame('walmart', $out['channel']);
        self::assertSame('1796277083022', $out['external_order_id']);
        self::assertSame(1, $out['store_id']);
        self::assertNull($out['increment_id']);
        self::assertSame('guest', $out['customer']['mode']);
        self::assertSame(['1 Main St', 'Apt 2'], $out['shipping_address']['street']);
        self::assertSame($out['shipping_address'], $out['billing_address'], 'billing defaults to shipping');
        self::assertSame(
            [
                'method' => 'Standard', 'method_code' => 'standard', 'method_title' => 'Channel Shipping - Standard',
                'shipping_method' => 'channelshipping_standard', 'amount' => 500, 'tax_amount' => 40,
            ],
            $out['shipping']
        );
        self::assertSame([['line_number' => '1', 'sku' => 'MUG-1', 'qty' => 2, 'price' => 799, 'tax_amount' => 128]], $out['items']);
        self::assertSame('Walmart Marketplace order 1796277083022', $out['comment']);
    }

    public function testDefaultsAndNormalisedSpellings(): void
    {
        $order = $this->order();
        $order['channel'] = 'Walmart';
        $order['currency_code'] = 'usd';
        $order['increment_id'] = '1796277083022';
        unset($order['customer']['mode'], $order['comment'], $order['shipping']['tax_amount'], $order['items'][0]['tax_amount']);
        $order['shipping_address']['country_id'] = 'us';
        $order['shipping_address']['street'] = '1 Main St';
        $order['billing_address'] = $order['shipping_address'];
        $order['billing_address']['firstname'] = 'Bill';
        $order['items'][0]['price'] = '7.99';
        $order['items'][0]['qty'] = '2';
        $out = (new ChannelOrderNormaliser())->normalise($order);
        self::assertSame('walmart', $out['channel']);
        self::assertSame('USD', $out['currency_code']);
        self::assertSame('1796277083022', $out['increment_id']);
        self::assertSame('guest', $out['customer']['mode']);
        self::assertSame('US', $out['shipping_address']['country_id']);
        self::assertSame(['1 Main St'], $out['shipping_address']['street']);
        self::assertSame('Bill', $out['billing_address']['firstname']);
        self::assertSame(0, $out['shipping']['tax_amount']);
        self::assertSame(['line_number' => '1', 'sku' => 'MUG-1', 'qty' => 2, 'price' => 799, 'tax_amount' => 0], $out['items'][0]);
        self::assertSame('Walmart Marketplace order 1796277083022', $out['comment']);
    }

    /** @return array<string, array{callable, string}> */
    public function missingFields(): array
    {
        return [
            'channel' => [static function (array &$o): void { unset($o['channel']); }, 'channel'],
            'external order id' => [static function (array &$o): void { $o['external_order_id'] = ' '; }, 'external_order_id'],
            'store' => [static function (array &$o): void { unset($o['store_id']); }, 'store_id'],
            'customer' => [static function (array &$o): void { unset($o['customer']); }, 'customer'],
            'customer email' => [static function (array &$o): void { unset($o['customer']['email']); }, 'customer.email'],
            'street' => [static function (array &$o): void { $o['shipping_address']['street'] = ['', ' ']; }, 'shipping_address.street'],
            'city' => [static function (array &$o): void { unset($o['shipping_address']['city']); }, 'shipping_address.city'],
            'shipping method' => [static function (array &$o): void { unset($o['shipping']['method']); }, 'shipping.method'],
            'shipping amount' => [static function (array &$o): void { unset($o['shipping']['amount']); }, 'shipping.amount'],
            'items' => [static function (array &$o): void { $o['items'] = []; }, 'items'],
            'sku' => [static function (array &$o): void { unset($o['items'][0]['sku']); }, 'items[0].sku'],
            'line number' => [static function (array &$o): void { unset($o['items'][0]['line_number']); }, 'items[0].line_number'],
            'qty' => [static function (array &$o): void { unset($o['items'][0]['qty']); }, 'items[0].qty'],
            'price' => [static function (array &$o): void { unset($o['items'][0]['price']); }, 'items[0].price'],
        ];
    }

    /** @dataProvider missingFields */
    public function testAMissingFieldIsNamedInMagentosWording(callable $change, string $field): void
    {
        $order = $this->order();
        $change($order);
        try {
            (new ChannelOrderNormaliser())->normalise($order);
            self::fail('no error for a missing ' . $field);
        } catch (InvalidChannelOrder $e) {
            self::assertSame(InvalidChannelOrder::REQUIRED, $e->getKind());
            self::assertSame($field, $e->getField());
            self::assertSame('"' . $field . '" is required. Enter and try again.', $e->getMessage());
        }
    }

    /** @return array<string, array{callable, string, string}> */
    public function invalidValues(): array
    {
        return [
            'negative price' => [static function (array &$o): void { $o['items'][0]['price'] = -1; }, 'items[0].price', '-1'],
            'sub-cent price' => [static function (array &$o): void { $o['items'][0]['price'] = 7.999; }, 'items[0].price', '7.999'],
            'price text' => [static function (array &$o): void { $o['items'][0]['price'] = 'abc'; }, 'items[0].price', 'abc'],
            'zero qty' => [static function (array &$o): void { $o['items'][0]['qty'] = 0; }, 'items[0].qty', '0'],
            'fractional qty' => [static function (array &$o): void { $o['items'][0]['qty'] = 1.5; }, 'items[0].qty', '1.5'],
            'duplicate line' => [static function (array &$o): void { $o['items'][] = $o['items'][0]; }, 'items[1].line_number', '1'],
            'customer mode' => [static function (array &$o): void { $o['customer']['mode'] = 'vip'; }, 'customer.mode', 'vip'],
            'email' => [static function (array &$o): void { $o['customer']['email'] = 'not-an-email'; }, 'customer.email', 'not-an-email'],
            'currency' => [static function (array &$o): void { $o['currency_code'] = 'DOLLAR'; }, 'currency_code', 'DOLLAR'],
            'country' => [static function (array &$o): void { $o['shipping_address']['country_id'] = 'USA'; }, 'shipping_address.country_id', 'USA'],
            'store id' => [static function (array &$o): void { $o['store_id'] = 'one'; }, 'store_id', 'one'],
            'shipping method' => [static function (array &$o): void { $o['shipping']['method'] = 'One Day'; }, 'shipping.method', 'One Day'],
            'increment id' => [static function (array &$o): void { $o['increment_id'] = 'has space'; }, 'increment_id', 'has space'],
            'channel' => [static function (array &$o): void { $o['channel'] = 'wal mart'; }, 'channel', 'wal mart'],
        ];
    }

    /** @dataProvider invalidValues */
    public function testAnInvalidValueIsNamedInMagentosWording(callable $change, string $field, string $value): void
    {
        $order = $this->order();
        $change($order);
        try {
            (new ChannelOrderNormaliser())->normalise($order);
            self::fail('no error for ' . $field . ' = ' . $value);
        } catch (InvalidChannelOrder $e) {
            self::assertSame(InvalidChannelOrder::INVALID, $e->getKind());
            self::assertSame($field, $e->getField());
            self::assertSame($value, $e->getValue());
            self::assertSame('Invalid value of "' . $value . '" provided for the ' . $field . ' field.', $e->getMessage());
        }
    }
}
