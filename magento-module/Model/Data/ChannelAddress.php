<?php
/**
 * An address of a channel order. Data object for the webapi.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Data;

use ChannelManager\Connector\Api\Data\ChannelAddressInterface;
use Magento\Framework\Api\AbstractSimpleObject;

class ChannelAddress extends AbstractSimpleObject implements ChannelAddressInterface
{
    /** @inheritdoc */
    public function getFirstname()
    {
        return $this->_get(self::FIRSTNAME);
    }

    /** @inheritdoc */
    public function setFirstname($firstname)
    {
        return $this->setData(self::FIRSTNAME, $firstname);
    }

    /** @inheritdoc */
    public function getLastname()
    {
        return $this->_get(self::LASTNAME);
    }

    /** @inheritdoc */
    public function setLastname($lastname)
    {
        return $this->setData(self::LASTNAME, $lastname);
    }

    /** @inheritdoc */
    public function getStreet()
    {
        return $this->_get(self::STREET);
    }

    /** @inheritdoc */
    public function setStreet($street)
    {
        return $this->setData(self::STREET, $street);
    }

    /** @inheritdoc */
    public function getCity()
    {
        return $this->_get(self::CITY);
    }

    /** @inheritdoc */
    public function setCity($city)
    {
        return $this->setData(self::CITY, $city);
    }

    /** @inheritdoc */
    public function getRegionCode()
    {
        return $this->_get(self::REGION_CODE);
    }

    /** @inheritdoc */
    public function setRegionCode($regionCode)
    {
        return $this->setData(self::REGION_CODE, $regionCode);
    }

    /** @inheritdoc */
    public function getPostcode()
    {
        return $this->_get(self::POSTCODE);
    }

    /** @inheritdoc */
    public function setPostcode($postcode)
    {
        return $this->setData(self::POSTCODE, $postcode);
    }

    /** @inheritdoc */
    public function getCountryId()
    {
        return $this->_get(self::COUNTRY_ID);
    }

    /** @inheritdoc */
    public function setCountryId($countryId)
    {
        return $this->setData(self::COUNTRY_ID, $countryId);
    }

    /** @inheritdoc */
    public function getTelephone()
    {
        return $this->_get(self::TELEPHONE);
    }

    /** @inheritdoc */
    public function setTelephone($telephone)
    {
        return $this->setData(self::TELEPHONE, $telephone);
    }
}
