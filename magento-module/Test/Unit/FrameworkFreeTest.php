<?php
declare(strict_types=1);

namespace ChannelManager\Connector\Test\Unit;

use PHPUnit\Framework\TestCase;

/**
 * The classes these tests cover must stay free of Magento, or PHPUnit could not load them here.
 */
final class FrameworkFreeTest extends TestCase
{
    public const FRAMEWORK_FREE = [
        'Model/Carrier/MethodMapper.php',
        'Model/Event/EventBodyBuilder.php',
        'Model/Event/EventSigner.php',
        'Model/Order/ChannelOrderNormaliser.php',
        'Model/Order/ChannelQuote.php',
        'Model/Order/IdempotencyDecision.php',
        'Model/Order/IdempotentPlacement.php',
        'Model/Order/InvalidChannelOrder.php',
        'Model/Order/OrderBeingPlaced.php',
        'Model/Order/OrderFigures.php',
    ];

    public function testTheFrameworkFreeClassesNameNoMagentoClass(): void
    {
        $root = dirname(__DIR__, 2);
        foreach (self::FRAMEWORK_FREE as $file) {
            $code = file_get_contents($root . '/' . $file);
            self::assertIsString($code, $file);
            self::assertDoesNotMatchRegularExpression('/\\\\?Magento\\\\/', $code, $file . ' uses a Magento class');
            $class = 'ChannelManager\\Connector\\' . str_replace('/', '\\', substr($file, 0, -4));
            self::assertTrue(class_exists($class), $class . ' does not load without Magento');
        }
    }
}
