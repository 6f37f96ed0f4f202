// Device selection and error reporting of VulkanContext. Without a Vulkan device the tests skip,
// unless CI=true, where a missing device is a failure.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <string>

#include "render/vulkan_context.h"
#include "render/vulkan_error.h"

namespace rs {
namespace {

bool on_ci() {
    const char * ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

// Sets an environment variable for one scope and restores the previous value afterwards.
class ScopedEnv {
public:
    ScopedEnv(const char * name, const char * value) : name_(name) {
        const char * old = std::getenv(name);
        had_value_ = old != nullptr;
        if (old) old_ = old;
        setenv(name, value, 1);
    }
    ~ScopedEnv() {
        if (had_value_)
            setenv(name_.c_str(), old_.c_str(), 1);
        else
            unsetenv(name_.c_str());
    }

private:
    std::string name_, old_;
    bool had_value_ = false;
};

class VulkanContextTest : public ::testing::Test {
protected:
    void SetUp() override {
        try {
            context_ = std::make_unique<VulkanContext>();
        } catch (const VulkanError & e) {
            if (on_ci()) FAIL() << "CI=true but no Vulkan device: " << e.what();
            GTEST_SKIP() << "no Vulkan device (" << e.what() << ")";
        }
    }
    std::unique_ptr<VulkanContext> context_;
};

TEST(VulkanError, NamesTheResult) {
    VulkanError e("cannot create a Vulkan instance", VK_ERROR_INCOMPATIBLE_DRIVER);
    EXPECT_EQ(std::string(e.what()), "cannot create a Vulkan instance: VK_ERROR_INCOMPATIBLE_DRIVER");
    EXPECT_EQ(e.result(), VK_ERROR_INCOMPATIBLE_DRIVER);
    EXPECT_EQ(vk_result_name(VK_ERROR_DEVICE_LOST), "VK_ERROR_DEVICE_LOST");
    EXPECT_EQ(vk_result_name(VkResult(-424242)), "VkResult(-424242)");
    EXPECT_NO_THROW(check_vk(VK_SUCCESS, "fine"));
    EXPECT_THROW(check_vk(VK_ERROR_OUT_OF_DEVICE_MEMORY, "alloc"), std::runtime_error);
}

TEST(VulkanContextNoDriver, ThrowsAVulkanErrorNamingTheResult) {
    // Point the loader at a driver manifest that does not exist: what a machine without a Vulkan
    // driver looks like. The app catches this and carries on without rendering.
    ScopedEnv icd("VK_ICD_FILENAMES", "/nonexistent/roadsight_icd.json");
    ScopedEnv driver_files("VK_DRIVER_FILES", "/nonexistent/roadsight_icd.json");
    try {
        VulkanContext context;
        FAIL() << "a context was created without a driver";
    } catch (const VulkanError & e) {
        EXPECT_NE(std::string(e.what()).find("VK_ERROR_"), std::string::npos) << e.what();
    }
}

TEST_F(VulkanContextTest, CreatesDeviceQueueAndRunsCommands) {
    EXPECT_NE(context_->device(), VK_NULL_HANDLE);
    EXPECT_NE(context_->queue(), VK_NULL_HANDLE);
    EXPECT_FALSE(context_->device_name().empty());
    bool recorded = false;
    context_->run_commands([&](VkCommandBuffer cmd) { recorded = cmd != VK_NULL_HANDLE; });
    EXPECT_TRUE(recorded);
}

TEST_F(VulkanContextTest, SelectsDevicesByIndexAndName) {
    std::string name = context_->device_name();
    VulkanContextOptions by_index;
    by_index.device_selector = "0";
    EXPECT_NO_THROW(VulkanContext{by_index});

    VulkanContextOptions by_name;
    by_name.device_selector = name.substr(0, 4);  // case-insensitive substring
    for (char & c : by_name.device_selector) c = char(std::toupper(static_cast<unsigned char>(c)));
    VulkanContext named(by_name);
    EXPECT_NE(named.device_name().find(name.substr(0, 4)), std::string::npos);

    ScopedEnv env("ROADSIGHT_VK_DEVICE", "no-such-gpu-anywhere");
    try {
        VulkanContext missing;
        FAIL() << "ROADSIGHT_VK_DEVICE=no-such-gpu-anywhere matched " << missing.device_name();
    } catch (const VulkanError & e) {
        EXPECT_NE(std::string(e.what()).find("available"), std::string::npos) << e.what();
    }
}

TEST_F(VulkanContextTest, RejectsMissingExtensionsClearly) {
    VulkanContextOptions options;
    options.instance_extensions = {"VK_ROADSIGHT_not_an_extension"};
    try {
        VulkanContext context(options);
        FAIL() << "created an instance with a made-up extension";
    } catch (const VulkanError & e) {
        EXPECT_EQ(e.result(), VK_ERROR_EXTENSION_NOT_PRESENT);
        EXPECT_NE(std::string(e.what()).find("VK_ROADSIGHT_not_an_extension"), std::string::npos);
    }

    VulkanContextOptions device_options;
    device_options.device_extensions = {"VK_ROADSIGHT_not_a_device_extension"};
    EXPECT_THROW(VulkanContext{device_options}, VulkanError);
}

TEST_F(VulkanContextTest, QueueFamilyFilterCanRejectEveryDevice) {
    VulkanContextOptions options;
    options.accept_queue_family = [](VkInstance, VkPhysicalDevice, uint32_t) { return false; };
    EXPECT_THROW(VulkanContext{options}, VulkanError);
}

TEST_F(VulkanContextTest, FindsHostVisibleMemory) {
    uint32_t type = context_->find_memory_type(~0u, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
    EXPECT_TRUE(context_->memory_properties().memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
    EXPECT_THROW(context_->find_memory_type(0u, 0), VulkanError);
}

}  // namespace
}  // namespace rs
