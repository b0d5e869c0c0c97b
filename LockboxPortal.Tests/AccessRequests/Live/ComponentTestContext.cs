using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;

namespace LockboxPortal.Tests.AccessRequests.Live;

/// <summary>A bUnit context with MudBlazor's services, loose JS interop and a fake clock.</summary>
internal static class ComponentTestContext
{
    public static BunitContext Create(FakeTimeProvider time)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddScoped<ViewerTimeZone>();
        context.Services.AddSingleton<TimeProvider>(time);

        // The passkey button talks to the portal and the browser's WebAuthn; dialogs are tested with a stand-in for it.
        context.ComponentFactories.AddStub<LockboxPortal.Features.AccessRequests.Signing.Components.PasskeySignButton>();
        return context;
    }
}
