<?php
declare(strict_types=1);

namespace ChannelManager\Connector\Test\Unit\Model\Event;

use ChannelManager\Connector\Model\Event\EventSigner;
use PHPUnit\Framework\TestCase;

final class EventSignerTest extends TestCase
{
    private const BODY = '{"event_id":"8a6b0c1e-0000-4000-8000-000000000001","event":"shipment_saved",'
        . '"occurred_at":"2026-12-02T01:02:03Z","store_id":1,"data":{"order_id":42,"increment_id":"000000042",'
        . '"ext_order_id":"1796277083022","shipment_id":7}}';

    /** Computed independently with Python: hmac.new(b"whsec-test", b"1796000000." + body, sha256). */
    private const EXPECTED = 'sha256=1a28cd2f419049687167979db4afc653b544d3bda65c665db5492cc3c5b8f942';

    public function testSignatureIsHmacSha256OfTimestampDotBody(): void
    {
        self::assertSame(self::EXPECTED, (new EventSigner())->signature('whsec-test', 1796000000, self::BODY));
    }

    public function testAnyChangeToSecretTimestampOrBodyChangesTheSignature(): void
    {
        $signer = new EventSigner();
        self::assertNotSame(self::EXPECTED, $signer->signature('whsec-other', 1796000000, self::BODY));
        self::assertNotSame(self::EXPECTED, $signer->signature('whsec-test', 1796000001, self::BODY));
        self::assertNotSame(self::EXPECTED, $signer->signature('whsec-test', 1796000000, self::BODY . ' '));
    }

    public function testHeaders(): void
    {
        self::assertSame(
            [
                'Content-Type' => 'application/json',
                'X-Channel-Manager-Event' => 'shipment_saved',
                'X-Channel-Manager-Timestamp' => '1796000000',
                'X-Channel-Manager-Signature' => self::EXPECTED,
            ],
            (new EventSigner())->headers('whsec-test', 'shipment_saved', 1796000000, self::BODY)
        );
    }

    public function testAnEmptySecretIsRefused(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        (new EventSigner())->signature('', 1796000000, self::BODY);
    }
}
