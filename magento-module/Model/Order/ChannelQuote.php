<?php
/**
 * Names the module uses to mark a quote as a channel quote. Only a quote carrying the flag gets
 * the channelpayment method and channelshipping rates, so neither is ever offered to shoppers.
 * Framework-free.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Order;

final class ChannelQuote
{
    /**
     * Quote data key holding the normalised request (ChannelOrderNormaliser output). Set in memory
     * on the quote object that is submitted; never persisted.
     */
    public const FLAG = 'channel_manager_order';

    /**
     * Quote item option holding the channel line number. It also keeps two lines with the same
     * SKU as two quote items (Magento merges items whose options are equal).
     */
    public const LINE_OPTION = 'channel_manager_line_number';
}
