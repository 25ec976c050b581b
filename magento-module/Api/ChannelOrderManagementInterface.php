<?php
/**
 * POST /V1/channel-manager/orders: places one channel order through a quote, once per
 * channel + external order id.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Api;

/**
 * @api
 */
interface ChannelOrderManagementInterface
{
    /**
     * Places the channel order, or returns the order already placed for its channel and
     * external order id (created = false).
     *
     * @param \ChannelManager\Connector\Api\Data\ChannelOrderInterface $order
     * @return \ChannelManager\Connector\Api\Data\ChannelOrderResultInterface
     * @throws \Magento\Framework\Exception\InputException
     * @throws \Magento\Framework\Exception\LocalizedException
     */
    public function place(\ChannelManager\Connector\Api\Data\ChannelOrderInterface $order);
}
