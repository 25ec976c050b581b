<?php
/**
 * A channel order request that cannot be placed as sent: a required field is missing or a value
 * is invalid. The service turns it into Magento's InputException (webapi 400) with the same
 * message and parameters. Framework-free.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Order;

final class InvalidChannelOrder extends \InvalidArgumentException
{
    public const REQUIRED = 'required';
    public const INVALID = 'invalid';

    /** @var string */
    private $kind;

    /** @var string */
    private $field;

    /** @var string */
    private $value;

    private function __construct(string $kind, string $field, string $value, string $message)
    {
        parent::__construct($message);
        $this->kind = $kind;
        $this->field = $field;
        $this->value = $value;
    }

    /** Magento's wording for InputException::requiredField(). */
    public static function required(string $field): self
    {
        return new self(self::REQUIRED, $field, '', sprintf('"%s" is required. Enter and try again.', $field));
    }

    /** Magento's wording for InputException::invalidFieldValue(). */
    public static function invalid(string $field, $value): self
    {
        $shown = is_scalar($value) ? (string) $value : json_encode($value);
        return new self(
            self::INVALID,
            $field,
            (string) $shown,
            sprintf('Invalid value of "%s" provided for the %s field.', $shown, $field)
        );
    }

    public function getKind(): string
    {
        return $this->kind;
    }

    public function getField(): string
    {
        return $this->field;
    }

    public function getValue(): string
    {
        return $this->value;
    }
}
