<?php
/**
 * An address of a channel order.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Api\Data;

/**
 * @api
 */
interface ChannelAddressInterface
{
    public const FIRSTNAME = 'firstname';
    public const LASTNAME = 'lastname';
    public const STREET = 'street';
    public const CITY = 'city';
    public const REGION_CODE = 'region_code';
    public const POSTCODE = 'postcode';
    public const COUNTRY_ID = 'country_id';
    public const TELEPHONE = 'telephone';

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
     * Street lines.
     *
     * @return string[]
     */
    public function getStreet();

    /**
     * @param string[] $street
     * @return $this
     */
    public function setStreet($street);

    /**
     * City.
     *
     * @return string
     */
    public function getCity();

    /**
     * @param string $city
     * @return $this
     */
    public function setCity($city);

    /**
     * Region code, e.g. "AR".
     *
     * @return string|null
     */
    public function getRegionCode();

    /**
     * @param string|null $regionCode
     * @return $this
     */
    public function setRegionCode($regionCode);

    /**
     * Postcode.
     *
     * @return string
     */
    public function getPostcode();

    /**
     * @param string $postcode
     * @return $this
     */
    public function setPostcode($postcode);

    /**
     * ISO 3166-1 alpha-2 country code.
     *
     * @return string
     */
    public function getCountryId();

    /**
     * @param string $countryId
     * @return $this
     */
    public function setCountryId($countryId);

    /**
     * Telephone.
     *
     * @return string
     */
    public function getTelephone();

    /**
     * @param string $telephone
     * @return $this
     */
    public function setTelephone($telephone);
}
