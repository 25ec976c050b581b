<?php
/**
 * GET /V1/channel-manager/info.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model;

use ChannelManager\Connector\Api\Data\InfoInterface as InfoData;
use ChannelManager\Connector\Api\Data\InfoInterfaceFactory;
use ChannelManager\Connector\Api\InfoInterface;
use ChannelManager\Connector\Model\Carrier\MethodMapper;
use ChannelManager\Connector\Model\Payment\ChannelPayment;

class Info implements InfoInterface
{
    /** @var InfoInterfaceFactory */
    private $infoFactory;

    /** @var Config */
    private $config;

    public function __construct(InfoInterfaceFactory $infoFactory, Config $config)
    {
        $this->infoFactory = $infoFactory;
        $this->config = $config;
    }

    /** @inheritdoc */
    public function get()
    {
        /** @var InfoData $info */
        $info = $this->infoFactory->create();
        return $info->setModule(Config::MODULE)
            ->setVersion(Config::VERSION)
            ->setPaymentMethod(ChannelPayment::CODE)
            ->setCarrier(MethodMapper::CARRIER_CODE)
            ->setEventsEnabled($this->config->eventsEnabled());
    }
}
