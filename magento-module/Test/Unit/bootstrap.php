<?php
/**
 * Autoloads the module's own classes for the framework-free tests (no composer, no Magento).
 * A class that needs a Magento class fails to load here, which keeps the tested logic
 * framework-free.
 */
declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    $prefix = 'ChannelManager\\Connector\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = dirname(__DIR__, 2) . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
