<?php
declare(strict_types=1);

namespace ChannelManager\Connector\Test\Unit\Model\Order;

use ChannelManager\Connector\Model\Order\IdempotentPlacement;
use ChannelManager\Connector\Model\Order\OrderBeingPlaced;
use PHPUnit\Framework\TestCase;

/**
 * The placement loop against an in-memory link table that behaves like the UNIQUE key: a claim of
 * a taken key fails, a committed claim names its order.
 */
final class IdempotentPlacementTest extends TestCase
{
    /** @var array<string, mixed>|null the committed link row */
    private $committed;

    /** @var int */
    private $placements = 0;

    /** @var list<callable(): void> what concurrent calls do just before our claim, one per attempt */
    private $concurrent = [];

    protected function setUp(): void
    {
        $this->committed = null;
        $this->placements = 0;
        $this->concurrent = [];
    }

    private function place(): array
    {
        return (new IdempotentPlacement())->run(
            function (): ?array {
                return $this->committed;
            },
            function (): ?array {
                $other = array_shift($this->concurrent);
                if ($other !== null) {
                    $other();
                }
                if ($this->committed !== null || $other !== null) {
                    return null; // our INSERT hit the key: rolled back, nothing placed
                }
                $this->placements++;
                $this->committed = ['order_id' => 40 + $this->placements, 'increment_id' => '00000004' . $this->placements];
                return $this->committed;
            }
        );
    }

    public function testTheFirstCallPlacesTheOrder(): void
    {
        self::assertSame(['entity_id' => 41, 'increment_id' => '000000041', 'created' => true], $this->place());
        self::assertSame(1, $this->placements);
    }

    public function testARetriedCallReturnsTheFirstOrderAndPlacesNothing(): void
    {
        $this->place();
        self::assertSame(['entity_id' => 41, 'increment_id' => '000000041', 'created' => false], $this->place());
        self::assertSame(1, $this->placements);
    }

    public function testAConcurrentDuplicateIsAnsweredWithTheWinnersOrder(): void
    {
        $this->concurrent[] = function (): void {
            $this->committed = ['order_id' => 77, 'increment_id' => '000000077'];
        };
        self::assertSame(['entity_id' => 77, 'increment_id' => '000000077', 'created' => false], $this->place());
        self::assertSame(0, $this->placements);
    }

    public function testAWinnerThatRolledBackLetsUsClaimAgain(): void
    {
        $this->concurrent[] = static function (): void {
            // holds the key, then rolls back: nothing committed
        };
        self::assertSame(['entity_id' => 41, 'increment_id' => '000000041', 'created' => true], $this->place());
        self::assertSame(1, $this->placements);
    }

    public function testAKeyThatStaysClaimedEndsInAnErrorNotALoop(): void
    {
        $noop = static function (): void {
        };
        $this->concurrent = [$noop, $noop, $noop];
        $this->expectException(OrderBeingPlaced::class);
        $this->place();
    }
}
