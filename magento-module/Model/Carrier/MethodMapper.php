<?php
/**
 * Maps a Walmart shipping method to the channelshipping carrier's method code and title.
 * Framework-free: no Magento class is used here, so PHPUnit tests it without Magento.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Carrier;

final class MethodMapper
{
    public const CARRIER_CODE = 'channelshipping';
    public const CARRIER_TITLE = 'Channel Shipping';

    /** Walmart's method codes (shipNode methodCode), spelled as Walmart spells them. */
    private const WALMART_METHODS = [
        'standard' => 'Standard',
        'express' => 'Express',
        'oneday' => 'OneDay',
        'freight' => 'Freight',
        'whiteglove' => 'WhiteGlove',
        'value' => 'Value',
    ];

    /**
     * Whether the name can become a method code: letters and digits only (Magento splits
     * "carrier_method" at the first underscore, and Walmart's codes are single words).
     */
    public function isValid(string $walmartMethod): bool
    {
        return preg_match('/^[A-Za-z0-9]{1,40}$/', trim($walmartMethod)) === 1;
    }

    /** "Standard" -> "standard", "OneDay" -> "oneday". */
    public function code(string $walmartMethod): string
    {
        $method = trim($walmartMethod);
        if (!$this->isValid($method)) {
            throw new \InvalidArgumentException(sprintf('"%s" is not a Walmart shipping method code.', $walmartMethod));
        }
        return strtolower($method);
    }

    /** "standard" or "Standard" -> "Channel Shipping - Standard"; an unknown method keeps its own spelling. */
    public function title(string $walmartMethod): string
    {
        $code = $this->code($walmartMethod);
        $name = self::WALMART_METHODS[$code] ?? trim($walmartMethod);
        return self::CARRIER_TITLE . ' - ' . $name;
    }

    /** "standard" -> "channelshipping_standard", the quote address's shipping method. */
    public function shippingMethod(string $walmartMethod): string
    {
        return self::CARRIER_CODE . '_' . $this->code($walmartMethod);
    }

    /**
     * The carrier's allowed methods, code => title, for getAllowedMethods().
     *
     * @return array<string, string>
     */
    public function allowedMethods(): array
    {
        $methods = [];
        foreach (self::WALMART_METHODS as $code => $name) {
            $methods[$code] = self::CARRIER_TITLE . ' - ' . $name;
        }
        return $methods;
    }
}
