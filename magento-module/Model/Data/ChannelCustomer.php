<?php
/**
 * The buyer of a channel order. Data object for the webapi.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Data;

use ChannelManager\Connector\Api\Data\ChannelCustomerInterface;
use Magento\Framework\Api\AbstractSimpleObject;

class ChannelCustomer extends AbstractSimpleObject implements ChannelCustomerInterface
{
    /** @inheritdoc */
    public function getEmail()
    {
        return $this->_get(self::EMAIL);
    }

    /** @inheritdoc */
    public function setEmail($email)
    {
        return $this->setData(self::EMAIL, $email);
    }

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
    public function getMode()
    {
        return $this->_get(self::MODE);
    }

    /** @inheritdoc */
    public function setMode($mode)
    {
        return $this->setData(self::MODE, $mode);
    }
}
