<?php
/**
 * Registers the ChannelManager_Connector module with Magento.
 */
declare(strict_types=1);

use Magento\Framework\Component\ComponentRegistrar;

ComponentRegistrar::register(ComponentRegistrar::MODULE, 'ChannelManager_Connector', __DIR__);
