<?php
/**
 * Signs an event delivery: HMAC-SHA256 over "<timestamp>.<raw body>" with the shared secret.
 * Framework-free: no Magento class is used here, so PHPUnit tests it without Magento.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Event;

final class EventSigner
{
    public const HEADER_EVENT = 'X-Channel-Manager-Event';
    public const HEADER_TIMESTAMP = 'X-Channel-Manager-Timestamp';
    public const HEADER_SIGNATURE = 'X-Channel-Manager-Signature';

    /** "sha256=<hex>" for the timestamp (unix seconds) and the exact bytes that are sent. */
    public function signature(string $secret, int $timestamp, string $body): string
    {
        if ($secret === '') {
            throw new \InvalidArgumentException('The events secret is empty.');
        }
        return 'sha256=' . hash_hmac('sha256', $timestamp . '.' . $body, $secret);
    }

    /**
     * The headers of one delivery, name => value.
     *
     * @return array<string, string>
     */
    public function headers(string $secret, string $event, int $timestamp, string $body): array
    {
        return [
            'Content-Type' => 'application/json',
            self::HEADER_EVENT => $event,
            self::HEADER_TIMESTAMP => (string) $timestamp,
            self::HEADER_SIGNATURE => $this->signature($secret, $timestamp, $body),
        ];
    }
}
