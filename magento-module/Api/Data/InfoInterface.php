<?php
/**
 * The answer of GET /V1/channel-manager/info.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Api\Data;

/**
 * @api
 */
interface InfoInterface
{
    public const MODULE = 'module';
    public const VERSION = 'version';
    public const PAYMENT_METHOD = 'payment_method';
    public const CARRIER = 'carrier';
    public const EVENTS_ENABLED = 'events_enabled';

    /**
     * Module name, "ChannelManager_Connector".
     *
     * @return string
     */
    public function getModule();

    /**
     * @param string $module
     * @return $this
     */
    public function setModule($module);

    /**
     * Module version.
     *
     * @return string
     */
    public function getVersion();

    /**
     * @param string $version
     * @return $this
     */
    public function setVersion($version);

    /**
     * The payment method code, "channelpayment".
     *
     * @return string
     */
    public function getPaymentMethod();

    /**
     * @param string $paymentMethod
     * @return $this
     */
    public function setPaymentMethod($paymentMethod);

    /**
     * The carrier code, "channelshipping".
     *
     * @return string
     */
    public function getCarrier();

    /**
     * @param string $carrier
     * @return $this
     */
    public function setCarrier($carrier);

    /**
     * Whether events are posted to the connector (default scope).
     *
     * @return bool
     */
    public function getEventsEnabled();

    /**
     * @param bool $eventsEnabled
     * @return $this
     */
    public function setEventsEnabled($eventsEnabled);
}
