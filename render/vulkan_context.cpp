#include "render/vulkan_context.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "render/vulkan_error.h"

namespace rs {

namespace {

const char * const kValidationLayer = "VK_LAYER_KHRONOS_validation";

bool env_flag(const char * name) {
    const char * value = std::getenv(name);
    return value && std::strcmp(value, "1") == 0;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

bool is_index(const std::string & s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Lower is better: the order in which device types are preferred.
int type_rank(VkPhysicalDeviceType type) {
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
    default: return 4;
    }
}

bool has_layer(const char * name) {
    uint32_t count = 0;
    vkEnumerateInstanceLayerProperties(&count, nullptr);
    std::vector<VkLayerProperties> layers(count);
    vkEnumerateInstanceLayerProperties(&count, layers.data());
    return std::any_of(layers.begin(), layers.end(),
                       [&](const VkLayerProperties & l) { return std::strcmp(l.layerName, name) == 0; });
}

std::vector<std::string> instance_extension_names(const char * layer) {
    uint32_t count = 0;
    vkEnumerateInstanceExtensionProperties(layer, &count, nullptr);
    std::vector<VkExtensionProperties> props(count);
    vkEnumerateInstanceExtensionProperties(layer, &count, props.data());
    std::vector<std::string> names;
    for (const auto & p : props) names.emplace_back(p.extensionName);
    return names;
}

std::vector<std::string> device_extension_names(VkPhysicalDevice device) {
    uint32_t count = 0;
    vkEnumerateDeviceExtensionProperties(device, nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> props(count);
    vkEnumerateDeviceExtensionProperties(device, nullptr, &count, props.data());
    std::vector<std::string> names;
    for (const auto & p : props) names.emplace_back(p.extensionName);
    return names;
}

bool contains(const std::vector<std::string> & names, const std::string & name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<const char *> c_strings(const std::vector<std::string> & strings) {
    std::vector<const char *> out;
    for (const auto & s : strings) out.push_back(s.c_str());
    return out;
}

VKAPI_ATTR VkBool32 VKAPI_CALL on_validation_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                     VkDebugUtilsMessageTypeFlagsEXT,
                                                     const VkDebugUtilsMessengerCallbackDataEXT * data,
                                                     void * user) {
    if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) ++*static_cast<std::atomic<int> *>(user);
    const char * level = (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) ? "error" : "warning";
    std::fprintf(stderr, "[vulkan %s] %s\n", level, data->pMessage);
    return VK_FALSE;
}

}  // namespace

VulkanContext::VulkanContext(const VulkanContextOptions & options) {
    // A throwing constructor runs no destructor: release what was made before rethrowing.
    try {
        create_instance(options);
        choose_physical_device(options);
        create_device(options);
    } catch (...) {
        destroy();
        throw;
    }
}

VulkanContext::~VulkanContext() { destroy(); }

void VulkanContext::destroy() {
    if (device_) {
        vkDeviceWaitIdle(device_);
        if (command_pool_) vkDestroyCommandPool(device_, command_pool_, nullptr);
        vkDestroyDevice(device_, nullptr);
    }
    if (messenger_) {
        auto destroy_messenger = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
        if (destroy_messenger) destroy_messenger(instance_, messenger_, nullptr);
    }
    if (instance_) vkDestroyInstance(instance_, nullptr);
    command_pool_ = VK_NULL_HANDLE;
    device_ = VK_NULL_HANDLE;
    messenger_ = VK_NULL_HANDLE;
    instance_ = VK_NULL_HANDLE;
}

void VulkanContext::create_instance(const VulkanContextOptions & options) {
    std::vector<std::string> extensions = options.instance_extensions;
    std::vector<std::string> available = instance_extension_names(nullptr);
    for (const auto & name : extensions) {
        if (!contains(available, name))
            throw VulkanError("Vulkan instance extension " + name + " is not available",
                              VK_ERROR_EXTENSION_NOT_PRESENT);
    }

    std::vector<const char *> layers;
    bool want_validation = options.validation || env_flag("ROADSIGHT_VK_VALIDATION");
    if (want_validation) {
        if (has_layer(kValidationLayer)) {
            layers.push_back(kValidationLayer);
            validation_enabled_ = true;
            bool debug_utils = contains(available, VK_EXT_DEBUG_UTILS_EXTENSION_NAME) ||
                               contains(instance_extension_names(kValidationLayer), VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
            if (debug_utils && !contains(extensions, VK_EXT_DEBUG_UTILS_EXTENSION_NAME))
                extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
        } else {
            std::fprintf(stderr, "roadsight: %s is not installed; running without validation\n", kValidationLayer);
        }
    }

    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = options.application_name.c_str();
    app.applicationVersion = VK_MAKE_VERSION(0, 1, 0);
    app.pEngineName = "roadsight";
    app.engineVersion = VK_MAKE_VERSION(0, 1, 0);
    app.apiVersion = options.api_version;

    std::vector<const char *> extension_ptrs = c_strings(extensions);
    VkInstanceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.pApplicationInfo = &app;
    info.enabledLayerCount = uint32_t(layers.size());
    info.ppEnabledLayerNames = layers.data();
    info.enabledExtensionCount = uint32_t(extension_ptrs.size());
    info.ppEnabledExtensionNames = extension_ptrs.data();
    check_vk(vkCreateInstance(&info, nullptr, &instance_),
             "cannot create a Vulkan instance (is a Vulkan driver such as mesa-vulkan-drivers installed?)");

    if (validation_enabled_ && contains(extensions, VK_EXT_DEBUG_UTILS_EXTENSION_NAME)) {
        auto create_messenger = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
        VkDebugUtilsMessengerCreateInfoEXT m{};
        m.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
        m.messageSeverity =
            VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
        m.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                        VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
        m.pfnUserCallback = on_validation_message;
        m.pUserData = &validation_errors_;
        if (create_messenger)
            check_vk(create_messenger(instance_, &m, nullptr, &messenger_), "vkCreateDebugUtilsMessengerEXT");
    }
}

void VulkanContext::choose_physical_device(const VulkanContextOptions & options) {
    uint32_t count = 0;
    check_vk(vkEnumeratePhysicalDevices(instance_, &count, nullptr), "vkEnumeratePhysicalDevices");
    if (count == 0) throw VulkanError("no Vulkan physical device found", VK_ERROR_INITIALIZATION_FAILED);
    std::vector<VkPhysicalDevice> devices(count);
    check_vk(vkEnumeratePhysicalDevices(instance_, &count, devices.data()), "vkEnumeratePhysicalDevices");

    // The graphics queue family this device would use, or -1 with the reason it cannot be used.
    auto usable_family = [&](VkPhysicalDevice device, std::string & why) -> int {
        std::vector<std::string> available = device_extension_names(device);
        for (const auto & name : options.device_extensions) {
            if (!contains(available, name)) {
                why = "lacks " + name;
                return -1;
            }
        }
        uint32_t n = 0;
        vkGetPhysicalDeviceQueueFamilyProperties(device, &n, nullptr);
        std::vector<VkQueueFamilyProperties> families(n);
        vkGetPhysicalDeviceQueueFamilyProperties(device, &n, families.data());
        for (uint32_t f = 0; f < n; ++f) {
            if (!(families[f].queueFlags & VK_QUEUE_GRAPHICS_BIT)) continue;
            if (options.accept_queue_family && !options.accept_queue_family(instance_, device, f)) continue;
            return int(f);
        }
        why = "has no suitable graphics queue";
        return -1;
    };
    auto name_of = [](VkPhysicalDevice device) {
        VkPhysicalDeviceProperties p;
        vkGetPhysicalDeviceProperties(device, &p);
        return std::string(p.deviceName);
    };

    std::string selector = options.device_selector;
    if (selector.empty()) {
        const char * env = std::getenv("ROADSIGHT_VK_DEVICE");
        if (env) selector = env;
    }

    int chosen = -1, family = -1;
    std::string why;
    if (!selector.empty()) {
        for (uint32_t i = 0; i < count && chosen < 0; ++i) {
            bool match = is_index(selector) ? std::strtoul(selector.c_str(), nullptr, 10) == i
                                            : lower(name_of(devices[i])).find(lower(selector)) != std::string::npos;
            if (!match) continue;
            family = usable_family(devices[i], why);
            if (family < 0)
                throw VulkanError("Vulkan device '" + name_of(devices[i]) + "' " + why, VK_ERROR_FEATURE_NOT_PRESENT);
            chosen = int(i);
        }
        if (chosen < 0) {
            std::string names;
            for (uint32_t i = 0; i < count; ++i)
                names += (i ? ", " : "") + std::to_string(i) + ": " + name_of(devices[i]);
            throw VulkanError("no Vulkan device matches '" + selector + "' (available: " + names + ")",
                              VK_ERROR_INITIALIZATION_FAILED);
        }
    } else {
        int best_rank = 1 << 30;
        for (uint32_t i = 0; i < count; ++i) {
            int f = usable_family(devices[i], why);
            if (f < 0) continue;
            VkPhysicalDeviceProperties p;
            vkGetPhysicalDeviceProperties(devices[i], &p);
            if (type_rank(p.deviceType) < best_rank) {
                best_rank = type_rank(p.deviceType);
                chosen = int(i);
                family = f;
            }
        }
        if (chosen < 0) throw VulkanError("no Vulkan device is usable (" + why + ")", VK_ERROR_FEATURE_NOT_PRESENT);
    }

    physical_device_ = devices[chosen];
    queue_family_ = uint32_t(family);
    vkGetPhysicalDeviceProperties(physical_device_, &properties_);
    vkGetPhysicalDeviceMemoryProperties(physical_device_, &memory_properties_);
}

void VulkanContext::create_device(const VulkanContextOptions & options) {
    float priority = 1.0f;
    VkDeviceQueueCreateInfo queue_info{};
    queue_info.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    queue_info.queueFamilyIndex = queue_family_;
    queue_info.queueCount = 1;
    queue_info.pQueuePriorities = &priority;

    std::vector<const char *> extensions = c_strings(options.device_extensions);
    // Only what a pass uses and the device offers: logic ops OR the BEV raster's layer flags.
    VkPhysicalDeviceFeatures supported{};
    vkGetPhysicalDeviceFeatures(physical_device_, &supported);
    enabled_features_.logicOp = supported.logicOp;
    VkDeviceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    info.queueCreateInfoCount = 1;
    info.pQueueCreateInfos = &queue_info;
    info.enabledExtensionCount = uint32_t(extensions.size());
    info.ppEnabledExtensionNames = extensions.data();
    info.pEnabledFeatures = &enabled_features_;
    check_vk(vkCreateDevice(physical_device_, &info, nullptr, &device_), "vkCreateDevice");
    vkGetDeviceQueue(device_, queue_family_, 0, &queue_);

    VkCommandPoolCreateInfo pool{};
    pool.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    pool.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
    pool.queueFamilyIndex = queue_family_;
    check_vk(vkCreateCommandPool(device_, &pool, nullptr, &command_pool_), "vkCreateCommandPool");
}

uint32_t VulkanContext::find_memory_type(uint32_t type_bits, VkMemoryPropertyFlags required,
                                         VkMemoryPropertyFlags preferred) const {
    int fallback = -1;
    for (uint32_t i = 0; i < memory_properties_.memoryTypeCount; ++i) {
        if (!(type_bits & (1u << i))) continue;
        VkMemoryPropertyFlags flags = memory_properties_.memoryTypes[i].propertyFlags;
        if ((flags & required) != required) continue;
        if ((flags & preferred) == preferred) return i;
        if (fallback < 0) fallback = int(i);
    }
    if (fallback < 0) throw VulkanError("no Vulkan memory type fits the request", VK_ERROR_OUT_OF_DEVICE_MEMORY);
    return uint32_t(fallback);
}

void VulkanContext::submit(const VkSubmitInfo & info, VkFence fence) const {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    check_vk(vkQueueSubmit(queue_, 1, &info, fence), "vkQueueSubmit");
}

void VulkanContext::run_commands(const std::function<void(VkCommandBuffer)> & record) const {
    // Frees the command buffer and fence on every way out, exceptions included.
    struct OneOff {
        VkDevice device;
        VkCommandPool pool;
        VkCommandBuffer cmd = VK_NULL_HANDLE;
        VkFence fence = VK_NULL_HANDLE;
        ~OneOff() {
            if (fence) vkDestroyFence(device, fence, nullptr);
            if (cmd) vkFreeCommandBuffers(device, pool, 1, &cmd);
        }
    };
    // The pool, like the queue, may be used from several threads.
    std::lock_guard<std::mutex> lock(pool_mutex_);
    OneOff work{device_, command_pool_};

    VkCommandBufferAllocateInfo alloc{};
    alloc.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    alloc.commandPool = command_pool_;
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    check_vk(vkAllocateCommandBuffers(device_, &alloc, &work.cmd), "vkAllocateCommandBuffers");
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    check_vk(vkBeginCommandBuffer(work.cmd, &begin), "vkBeginCommandBuffer");
    record(work.cmd);
    check_vk(vkEndCommandBuffer(work.cmd), "vkEndCommandBuffer");

    VkFenceCreateInfo fence_info{};
    fence_info.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    check_vk(vkCreateFence(device_, &fence_info, nullptr, &work.fence), "vkCreateFence");
    VkSubmitInfo submit_info{};
    submit_info.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit_info.commandBufferCount = 1;
    submit_info.pCommandBuffers = &work.cmd;
    submit(submit_info, work.fence);
    check_vk(vkWaitForFences(device_, 1, &work.fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
}

}  // namespace rs
