<?php
declare(strict_types=1);

namespace ChannelManager\Connector\Test\Unit\Model\Event;

use ChannelManager\Connector\Model\Event\EventBodyBuilder;
use PHPUnit\Framework\TestCase;

final class EventBodyBuilderTest extends TestCase
{
    private const OCCURRED_AT = 1796173323; // 2026-12-02T01:02:03Z

    public function testShipmentSavedBodyIsTheContractsExample(): void
    {
        $builder = new EventBodyBuilder();
        $data = $builder->orderData('shipment_saved', 42, '000000042', '1796277083022', ['shipment_id' => '7']);
        self::assertSame(
            '{"event_id":"8a6b0c1e-0000-4000-8000-000000000001","event":"shipment_saved",'
            . '"occurred_at":"2026-12-02T01:02:03Z","store_id":1,"data":{"order_id":42,'
            . '"increment_id":"000000042","ext_order_id":"1796277083022","shipment_id":7}}',
            $builder->build('8a6b0c1e-0000-4000-8000-000000000001', 'shipment_saved', self::OCCURRED_AT, 1, $data)
        );
    }

    public function testEachOrderEventCarriesItsIds(): void
    {
        $builder = new EventBodyBuilder();
        $order = ['order_id' => 42, 'increment_id' => '000000042', 'ext_order_id' => 'PO1'];
        self::assertSame(
            $order + ['shipment_id' => 7, 'track_id' => 9],
            $builder->orderData('track_saved', 42, '000000042', 'PO1', ['track_id' => 9, 'shipment_id' => 7])
        );
        self::assertSame(
            $order + ['creditmemo_id' => 3],
            $builder->orderData('creditmemo_saved', 42, '000000042', 'PO1', ['creditmemo_id' => 3])
        );
        self::assertSame($order, $builder->orderData('order_cancelled', 42, '000000042', 'PO1'));
    }

    public function testAnOrderEventWithTheWrongIdsIsRefused(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        (new EventBodyBuilder())->orderData('track_saved', 42, '000000042', 'PO1', ['shipment_id' => 7]);
    }

    public function testStockChangedCarriesTheSku(): void
    {
        $builder = new EventBodyBuilder();
        $body = json_decode(
            $builder->build('id-1', 'stock_changed', self::OCCURRED_AT, 1, $builder->stockData('MUG-1/Blue')),
            true
        );
        self::assertSame(['sku' => 'MUG-1/Blue'], $body['data']);
        self::assertSame('stock_changed', $body['event']);
    }

    public function testAnUnknownEventIsRefused(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        (new EventBodyBuilder())->build('id-1', 'order_saved', self::OCCURRED_AT, 1, []);
    }

    public function testEventIdsAreDistinctVersion4Uuids(): void
    {
        $builder = new EventBodyBuilder();
        $ids = [];
        for ($i = 0; $i < 50; $i++) {
            $id = $builder->newEventId();
            self::assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/', $id);
            $ids[$id] = true;
        }
        self::assertCount(50, $ids);
    }
}
