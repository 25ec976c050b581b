<?php
declare(strict_types=1);

namespace ChannelManager\Connector\Test\Unit\Model\Carrier;

use ChannelManager\Connector\Model\Carrier\MethodMapper;
use PHPUnit\Framework\TestCase;

final class MethodMapperTest extends TestCase
{
    /** @return array<string, array{string, string, string}> */
    public function walmartMethods(): array
    {
        return [
            'Standard' => ['Standard', 'standard', 'Channel Shipping - Standard'],
            'Express' => ['Express', 'express', 'Channel Shipping - Express'],
            'OneDay' => ['OneDay', 'oneday', 'Channel Shipping - OneDay'],
            'Freight' => ['Freight', 'freight', 'Channel Shipping - Freight'],
            'WhiteGlove' => ['WhiteGlove', 'whiteglove', 'Channel Shipping - WhiteGlove'],
            'Value' => ['Value', 'value', 'Channel Shipping - Value'],
            'lower-cased input keeps Walmart spelling' => ['oneday', 'oneday', 'Channel Shipping - OneDay'],
            'upper-cased input' => ['STANDARD', 'standard', 'Channel Shipping - Standard'],
            'an unknown method keeps its own spelling' => ['Scheduled', 'scheduled', 'Channel Shipping - Scheduled'],
        ];
    }

    /** @dataProvider walmartMethods */
    public function testCodeAndTitle(string $method, string $code, string $title): void
    {
        $mapper = new MethodMapper();
        self::assertSame($code, $mapper->code($method));
        self::assertSame($title, $mapper->title($method));
        self::assertSame('channelshipping_' . $code, $mapper->shippingMethod($method));
    }

    public function testAllowedMethodsAreTheSixWalmartMethods(): void
    {
        self::assertSame(
            [
                'standard' => 'Channel Shipping - Standard',
                'express' => 'Channel Shipping - Express',
                'oneday' => 'Channel Shipping - OneDay',
                'freight' => 'Channel Shipping - Freight',
                'whiteglove' => 'Channel Shipping - WhiteGlove',
                'value' => 'Channel Shipping - Value',
            ],
            (new MethodMapper())->allowedMethods()
        );
    }

    /** @return array<string, array{string}> */
    public function invalidMethods(): array
    {
        return ['empty' => [''], 'underscore' => ['one_day'], 'space' => ['One Day'], 'too long' => [str_repeat('a', 41)]];
    }

    /** @dataProvider invalidMethods */
    public function testAMethodThatCannotBeACodeIsRefused(string $method): void
    {
        $mapper = new MethodMapper();
        self::assertFalse($mapper->isValid($method));
        $this->expectException(\InvalidArgumentException::class);
        $mapper->code($method);
    }
}
