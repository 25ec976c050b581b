<?php
/**
 * POST /V1/channel-manager/orders.
 *
 * One transaction on the sales connection: claim the channel order's key in
 * channel_manager_order_link (UNIQUE(channel, external_order_id)), build the quote, place it with
 * QuoteManagement::submit() (totals, MSI reservation, Commerce's own order events), complete the
 * link with the order, commit. A retried call finds the committed link and returns its order with
 * created = false; a concurrent duplicate waits on the key, fails with a duplicate-key error,
 * rolls back everything it did and answers with the first order.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model;

use ChannelManager\Connector\Api\ChannelOrderManagementInterface;
use ChannelManager\Connector\Api\Data\ChannelOrderInterface;
use ChannelManager\Connector\Api\Data\ChannelOrderResultInterface;
use ChannelManager\Connector\Api\Data\ChannelOrderResultInterfaceFactory;
use ChannelManager\Connector\Model\Order\ChannelOrderNormaliser;
use ChannelManager\Connector\Model\Order\IdempotentPlacement;
use ChannelManager\Connector\Model\Order\InvalidChannelOrder;
use ChannelManager\Connector\Model\Order\OrderBeingPlaced;
use ChannelManager\Connector\Model\Order\QuoteBuilder;
use ChannelManager\Connector\Model\ResourceModel\OrderLink;
use Magento\Framework\DB\Adapter\DuplicateException;
use Magento\Framework\Exception\AlreadyExistsException;
use Magento\Framework\Exception\InputException;
use Magento\Framework\Exception\LocalizedException;
use Magento\Quote\Model\QuoteManagement;
use Magento\Sales\Api\Data\OrderInterface;
use Psr\Log\LoggerInterface;

class ChannelOrderManagement implements ChannelOrderManagementInterface
{
    /** @var ChannelOrderNormaliser */
    private $normaliser;

    /** @var IdempotentPlacement */
    private $placement;

    /** @var OrderLink */
    private $links;

    /** @var QuoteBuilder */
    private $quoteBuilder;

    /** @var QuoteManagement */
    private $quoteManagement;

    /** @var ChannelOrderResultInterfaceFactory */
    private $resultFactory;

    /** @var LoggerInterface */
    private $logger;

    public function __construct(
        ChannelOrderNormaliser $normaliser,
        IdempotentPlacement $placement,
        OrderLink $links,
        QuoteBuilder $quoteBuilder,
        QuoteManagement $quoteManagement,
        ChannelOrderResultInterfaceFactory $resultFactory,
        LoggerInterface $logger
    ) {
        $this->normaliser = $normaliser;
        $this->placement = $placement;
        $this->links = $links;
        $this->quoteBuilder = $quoteBuilder;
        $this->quoteManagement = $quoteManagement;
        $this->resultFactory = $resultFactory;
        $this->logger = $logger;
    }

    /** @inheritdoc */
    public function place(ChannelOrderInterface $order)
    {
        $request = $this->normalise($order);
        $channel = (string) $request['channel'];
        $externalId = (string) $request['external_order_id'];

        try {
            $result = $this->placement->run(
                function () use ($channel, $externalId): ?array {
                    return $this->links->findByExternalOrderId($channel, $externalId);
                },
                function () use ($request): ?array {
                    return $this->placeOnce($request);
                }
            );
        } catch (OrderBeingPlaced $e) {
            throw new LocalizedException(__($e->getMessage()), $e);
        }
        if (!$result['created']) {
            $this->logger->info('Channel order already placed; returning it', [
                'channel' => $channel,
                'external_order_id' => $externalId,
                'order_id' => $result['entity_id'],
            ]);
        }
        return $this->result($result);
    }

    /**
     * Places the order in one transaction; null when the key was claimed by a concurrent call.
     *
     * @param array<string, mixed> $request
     * @return array<string, mixed>|null the completed link row
     * @throws LocalizedException
     */
    private function placeOnce(array $request): ?array
    {
        $this->links->beginTransaction();
        try {
            try {
                $linkId = $this->links->claim((string) $request['channel'], (string) $request['external_order_id']);
            } catch (DuplicateException $e) {
                $this->links->rollBack();
                return null;
            }
            if ($request['increment_id'] !== null
                && $this->links->isIncrementIdUsed((string) $request['increment_id'], (int) $request['store_id'])
            ) {
                throw $this->incrementIdUsed((string) $request['increment_id']);
            }
            $quote = $this->quoteBuilder->build($request);
            try {
                $order = $this->quoteManagement->submit($quote);
            } catch (AlreadyExistsException $e) {
                // The only unique key an order insert can hit is its increment id (per store).
                throw $request['increment_id'] !== null ? $this->incrementIdUsed((string) $request['increment_id']) : $e;
            }
            if (!$order instanceof OrderInterface || !$order->getEntityId()) {
                throw new LocalizedException(__('Commerce placed no order for the channel order.'));
            }
            $this->links->complete($linkId, (int) $order->getEntityId(), (string) $order->getIncrementId());
            $this->links->commit();
        } catch (\Throwable $e) {
            $this->links->rollBack();
            throw $e;
        }
        return [
            'order_id' => (int) $order->getEntityId(),
            'increment_id' => (string) $order->getIncrementId(),
        ];
    }

    /**
     * @return array<string, mixed>
     * @throws InputException
     */
    private function normalise(ChannelOrderInterface $order): array
    {
        $raw = $order instanceof \Magento\Framework\Api\AbstractSimpleObject ? $order->__toArray() : [];
        try {
            return $this->normaliser->normalise($raw);
        } catch (InvalidChannelOrder $e) {
            throw $e->getKind() === InvalidChannelOrder::REQUIRED
                ? InputException::requiredField($e->getField())
                : InputException::invalidFieldValue($e->getField(), $e->getValue());
        }
    }

    private function incrementIdUsed(string $incrementId): LocalizedException
    {
        return new LocalizedException(__('Order number "%1" is already used by another order.', $incrementId));
    }

    /**
     * @param array{entity_id: int, increment_id: string, created: bool} $result
     */
    private function result(array $result): ChannelOrderResultInterface
    {
        /** @var ChannelOrderResultInterface $answer */
        $answer = $this->resultFactory->create();
        return $answer->setEntityId($result['entity_id'])
            ->setIncrementId($result['increment_id'])
            ->setCreated($result['created']);
    }
}
