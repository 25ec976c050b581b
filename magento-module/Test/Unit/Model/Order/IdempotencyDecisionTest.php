<?php
declare(strict_types=1);

namespace ChannelManager\Connector\Test\Unit\Model\Order;

use ChannelManager\Connector\Model\Order\IdempotencyDecision;
use ChannelManager\Connector\Model\Order\OrderBeingPlaced;
use PHPUnit\Framework\TestCase;

final class IdempotencyDecisionTest extends TestCase
{
    private const LINK = [
        'link_id' => 5, 'channel' => 'walmart', 'external_order_id' => '1796277083022',
        'order_id' => '42', 'increment_id' => '000000042',
    ];

    public function testNoLinkMeansPlace(): void
    {
        self::assertSame(IdempotencyDecision::PLACE, (new IdempotencyDecision())->beforePlacing(null));
    }

    public function testALinkedOrderIsReturnedNotPlacedAgain(): void
    {
        $decision = new IdempotencyDecision();
        self::assertSame(IdempotencyDecision::RETURN_EXISTING, $decision->beforePlacing(self::LINK));
        self::assertSame(
            ['entity_id' => 42, 'increment_id' => '000000042', 'created' => false],
            $decision->result(self::LINK, false)
        );
    }

    public function testAClaimWithoutAnOrderIsClaimedAgainSoTheKeyDecides(): void
    {
        $claim = ['order_id' => null, 'increment_id' => null] + self::LINK;
        self::assertSame(IdempotencyDecision::PLACE, (new IdempotencyDecision())->beforePlacing($claim));
    }

    public function testADuplicateKeyReturnsTheFirstOrder(): void
    {
        self::assertSame(IdempotencyDecision::RETURN_EXISTING, (new IdempotencyDecision())->afterDuplicateKey(self::LINK, 1));
    }

    public function testADuplicateKeyWhoseOwnerRolledBackIsRetriedOnce(): void
    {
        $decision = new IdempotencyDecision();
        self::assertSame(IdempotencyDecision::RETRY, $decision->afterDuplicateKey(null, 1));
        $this->expectException(OrderBeingPlaced::class);
        $decision->afterDuplicateKey(null, IdempotencyDecision::MAX_ATTEMPTS);
    }

    public function testANewOrderIsReportedCreated(): void
    {
        self::assertSame(
            ['entity_id' => 42, 'increment_id' => '000000042', 'created' => true],
            (new IdempotencyDecision())->result(self::LINK, true)
        );
    }

    public function testAResultNeedsAnOrder(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        (new IdempotencyDecision())->result(['order_id' => null, 'increment_id' => null], true);
    }
}
