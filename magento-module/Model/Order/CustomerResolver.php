<?php
/**
 * Customer "account" mode: the customer with the buyer's e-mail in the store's website, created
 * (without a welcome e-mail) when there is none.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Order;

use Magento\Customer\Api\CustomerRepositoryInterface;
use Magento\Customer\Api\Data\CustomerInterface;
use Magento\Customer\Api\Data\CustomerInterfaceFactory;
use Magento\Customer\Api\GroupManagementInterface;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Store\Api\Data\StoreInterface;

class CustomerResolver
{
    /** @var CustomerRepositoryInterface */
    private $customers;

    /** @var CustomerInterfaceFactory */
    private $customerFactory;

    /** @var GroupManagementInterface */
    private $groups;

    public function __construct(
        CustomerRepositoryInterface $customers,
        CustomerInterfaceFactory $customerFactory,
        GroupManagementInterface $groups
    ) {
        $this->customers = $customers;
        $this->customerFactory = $customerFactory;
        $this->groups = $groups;
    }

    /**
     * @param array{email: string, firstname: string, lastname: string} $buyer
     */
    public function resolve(array $buyer, StoreInterface $store): CustomerInterface
    {
        $websiteId = (int) $store->getWebsiteId();
        try {
            return $this->customers->get($buyer['email'], $websiteId);
        } catch (NoSuchEntityException $e) {
            // Not a customer yet: create one below.
        }
        /** @var CustomerInterface $customer */
        $customer = $this->customerFactory->create();
        $customer->setWebsiteId($websiteId);
        $customer->setStoreId((int) $store->getId());
        $customer->setEmail($buyer['email']);
        $customer->setFirstname($buyer['firstname']);
        $customer->setLastname($buyer['lastname']);
        $customer->setGroupId((int) $this->groups->getDefaultGroup((int) $store->getId())->getId());
        return $this->customers->save($customer);
    }
}
