<?php
/**
 * Posts signed events to the connector's webhook listener after the DB transaction commits.
 *
 * Best effort: a disabled or unconfigured store, a slow or failing connector, or any other error
 * is logged (never with the secret) and never reaches the merchant's action; the connector's
 * polling is the safety net. Only orders the module placed (a row in channel_manager_order_link)
 * raise order events.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Event;

use ChannelManager\Connector\Model\Config;
use ChannelManager\Connector\Model\ResourceModel\OrderLink;
use Magento\Framework\HTTP\Client\CurlFactory;
use Magento\Sales\Api\Data\OrderInterface;
use Magento\Store\Model\StoreManagerInterface;
use Psr\Log\LoggerInterface;

class EventPublisher
{
    /** @var Config */
    private $config;

    /** @var EventBodyBuilder */
    private $bodies;

    /** @var EventSigner */
    private $signer;

    /** @var CurlFactory */
    private $httpClientFactory;

    /** @var OrderLink */
    private $links;

    /** @var StoreManagerInterface */
    private $storeManager;

    /** @var LoggerInterface */
    private $logger;

    public function __construct(
        Config $config,
        EventBodyBuilder $bodies,
        EventSigner $signer,
        CurlFactory $httpClientFactory,
        OrderLink $links,
        StoreManagerInterface $storeManager,
        LoggerInterface $logger
    ) {
        $this->config = $config;
        $this->bodies = $bodies;
        $this->signer = $signer;
        $this->httpClientFactory = $httpClientFactory;
        $this->links = $links;
        $this->storeManager = $storeManager;
        $this->logger = $logger;
    }

    /**
     * An order event (shipment_saved, track_saved, creditmemo_saved, order_cancelled) for an
     * order the module placed.
     *
     * @param array<string, int|string> $ids the event's own ids, e.g. ['shipment_id' => 7]
     */
    public function orderEvent(string $event, ?OrderInterface $order, array $ids = []): void
    {
        try {
            if ($order === null || !$order->getEntityId()) {
                return;
            }
            $storeId = (int) $order->getStoreId();
            if (!$this->config->eventsEnabled($storeId)) {
                return;
            }
            $link = $this->links->findByOrderId((int) $order->getEntityId());
            if ($link === null) {
                return;
            }
            $data = $this->bodies->orderData(
                $event,
                (int) $order->getEntityId(),
                (string) $order->getIncrementId(),
                (string) $link['external_order_id'],
                $ids
            );
            $this->afterCommit($event, $storeId, $data);
        } catch (\Throwable $e) {
            $this->logger->error('Channel Manager: could not prepare the ' . $event . ' event', [
                'order_id' => $order ? $order->getEntityId() : null,
                'error' => $e->getMessage(),
            ]);
        }
    }

    /** A stock_changed event for the SKU. */
    public function stockEvent(string $sku): void
    {
        try {
            $storeId = (int) $this->storeManager->getDefaultStoreView()->getId();
            if (!$this->config->eventsEnabled($storeId)) {
                return;
            }
            $this->afterCommit(EventBodyBuilder::STOCK_CHANGED, $storeId, $this->bodies->stockData($sku));
        } catch (\Throwable $e) {
            $this->logger->error('Channel Manager: could not prepare the stock_changed event', [
                'sku' => $sku,
                'error' => $e->getMessage(),
            ]);
        }
    }

    /**
     * Sends once the open transaction commits (dropped if it rolls back), or now when none is open.
     *
     * @param array<string, int|string> $data
     */
    private function afterCommit(string $event, int $storeId, array $data): void
    {
        $body = $this->bodies->build($this->bodies->newEventId(), $event, time(), $storeId, $data);
        $send = function () use ($event, $storeId, $body): void {
            $this->send($event, $storeId, $body);
        };
        if ($this->links->getConnection()->getTransactionLevel() > 0) {
            $this->links->addCommitCallback($send);
            return;
        }
        $send();
    }

    /** Posts one event; never throws. */
    public function send(string $event, int $storeId, string $body): void
    {
        try {
            $url = $this->config->eventsUrl($storeId);
            $secret = $this->config->eventsSecret($storeId);
            if ($url === '' || $secret === '') {
                $this->logger->warning(
                    'Channel Manager: events are enabled but channel_manager/events/url or /secret is not set; '
                    . $event . ' not sent',
                    ['store_id' => $storeId]
                );
                return;
            }
            $client = $this->httpClientFactory->create();
            $client->setTimeout($this->config->eventsTimeout($storeId));
            $client->setHeaders($this->signer->headers($secret, $event, time(), $body));
            $client->post($url, $body);
            $status = (int) $client->getStatus();
            if ($status < 200 || $status >= 300) {
                $this->logger->warning('Channel Manager: the connector refused the ' . $event . ' event', [
                    'store_id' => $storeId,
                    'status' => $status,
                    'response' => mb_substr((string) $client->getBody(), 0, 500),
                ]);
            }
        } catch (\Throwable $e) {
            $this->logger->warning('Channel Manager: the ' . $event . ' event could not be delivered', [
                'store_id' => $storeId,
                'error' => $e->getMessage(),
            ]);
        }
    }
}
