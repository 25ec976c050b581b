<?php
/**
 * GET /V1/channel-manager/info: tells the connector the module is installed and what it provides.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Api;

/**
 * @api
 */
interface InfoInterface
{
    /**
     * The module's name, version, payment method, carrier and whether events are on.
     *
     * @return \ChannelManager\Connector\Api\Data\InfoInterface
     */
    public function get();
}
