<?php
/**
 * The module's configuration (etc/config.xml defaults, Stores > Configuration > Sales > Channel Manager).
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model;

use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\Encryption\EncryptorInterface;
use Magento\Store\Model\ScopeInterface;

class Config
{
    public const MODULE = 'ChannelManager_Connector';
    public const VERSION = '1.0.0';

    public const XML_EVENTS_ENABLED = 'channel_manager/events/enabled';
    public const XML_EVENTS_URL = 'channel_manager/events/url';
    public const XML_EVENTS_SECRET = 'channel_manager/events/secret';
    public const XML_EVENTS_TIMEOUT = 'channel_manager/events/timeout';

    private const DEFAULT_TIMEOUT = 5;

    /** @var ScopeConfigInterface */
    private $scopeConfig;

    /** @var EncryptorInterface */
    private $encryptor;

    public function __construct(ScopeConfigInterface $scopeConfig, EncryptorInterface $encryptor)
    {
        $this->scopeConfig = $scopeConfig;
        $this->encryptor = $encryptor;
    }

    /** Whether events go out for the store (null: the default scope). */
    public function eventsEnabled(?int $storeId = null): bool
    {
        return $storeId === null
            ? $this->scopeConfig->isSetFlag(self::XML_EVENTS_ENABLED)
            : $this->scopeConfig->isSetFlag(self::XML_EVENTS_ENABLED, ScopeInterface::SCOPE_STORE, $storeId);
    }

    public function eventsUrl(int $storeId): string
    {
        return trim((string) $this->scopeConfig->getValue(self::XML_EVENTS_URL, ScopeInterface::SCOPE_STORE, $storeId));
    }

    /** The shared secret, decrypted. Never log it. */
    public function eventsSecret(int $storeId): string
    {
        $stored = (string) $this->scopeConfig->getValue(self::XML_EVENTS_SECRET, ScopeInterface::SCOPE_STORE, $storeId);
        return $stored === '' ? '' : (string) $this->encryptor->decrypt($stored);
    }

    /** Seconds to wait for the connector; 5 when unset or not a positive number. */
    public function eventsTimeout(int $storeId): int
    {
        $timeout = (int) $this->scopeConfig->getValue(self::XML_EVENTS_TIMEOUT, ScopeInterface::SCOPE_STORE, $storeId);
        return $timeout > 0 ? $timeout : self::DEFAULT_TIMEOUT;
    }
}
