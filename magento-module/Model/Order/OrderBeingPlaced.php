<?php
/**
 * The channel order's key stays claimed by another call that has not finished: the caller should
 * retry later. Framework-free.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Order;

final class OrderBeingPlaced extends \RuntimeException
{
}
