<?php
/**
 * The buyer of a channel order.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Api\Data;

/**
 * @api
 */
interface ChannelCustomerInterface
{
    public const EMAIL = 'email';
    public const FIRSTNAME = 'firstname';
    public const LASTNAME = 'lastname';
    public const MODE = 'mode';

    /**
     * E-mail (Walmart relay address).
     *
     * @return string
     */
    public function getEmail();

    /**
     * @param string $email
     * @return $this
     */
    public function setEmail($email);

    /**
     * First name.
     *
     * @return string
     */
    public function getFirstname();

    /**
     * @param string $firstname
     * @return $this
     */
    public function setFirstname($firstname);

    /**
     * Last name.
     *
     * @return string
     */
    public function getLastname();

    /**
     * @param string $lastname
     * @return $this
     */
    public function setLastname($lastname);

    /**
     * "guest" (default) or "account": find by e-mail in the store's website, else create.
     *
     * @return string|null
     */
    public function getMode();

    /**
     * @param string|null $mode
     * @return $this
     */
    public function setMode($mode);
}
