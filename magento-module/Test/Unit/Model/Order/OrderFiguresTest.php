<?php
declare(strict_types=1);

namespace ChannelManager\Connector\Test\Unit\Model\Order;

use ChannelManager\Connector\Model\Order\OrderFigures;
use PHPUnit\Framework\TestCase;

final class OrderFiguresTest extends TestCase
{
    public function testTheContractsExampleAddsUpToTheCent(): void
    {
        $figures = (new OrderFigures())->compute(
            [
                ['line_number' => '1', 'qty' => 2, 'price' => 799, 'tax_amount' => 128],
                ['line_number' => '2', 'qty' => 3, 'price' => 1, 'tax_amount' => 0],
            ],
            ['amount' => 500, 'tax_amount' => 40]
        );
        self::assertSame(
            [
                'qty' => 2, 'price' => 799, 'row_total' => 1598, 'tax_amount' => 128,
                'price_incl_tax' => 863, 'row_total_incl_tax' => 1726, 'tax_percent' => 8.0100,
            ],
            $figures['lines']['1']
        );
        self::assertSame(3, $figures['lines']['2']['row_total']);
        self::assertSame(0.0, $figures['lines']['2']['tax_percent']);
        self::assertSame(
            [
                'subtotal' => 1601, 'subtotal_incl_tax' => 1729, 'items_tax_amount' => 128,
                'shipping_amount' => 500, 'shipping_tax_amount' => 40, 'shipping_incl_tax' => 540,
                'tax_amount' => 168, 'grand_total' => 2269, 'total_qty' => 5,
            ],
            $figures['totals']
        );
    }

    public function testAFreeLineHasNoTaxPercent(): void
    {
        $figures = (new OrderFigures())->compute(
            [['line_number' => '1', 'qty' => 1, 'price' => 0, 'tax_amount' => 0]],
            ['amount' => 0, 'tax_amount' => 0]
        );
        self::assertSame(0, $figures['totals']['grand_total']);
        self::assertSame(0.0, $figures['lines']['1']['tax_percent']);
    }

    public function testCentsBecomeAmounts(): void
    {
        self::assertSame(7.99, OrderFigures::toAmount(799));
        self::assertSame(0.1, OrderFigures::toAmount(10));
        self::assertSame(22.69, OrderFigures::toAmount(2269));
    }
}
