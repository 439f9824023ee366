// xunit v2 keeps ITestOutputHelper in Xunit.Abstractions; v3 moved it to Xunit. The shared sources name the v2
// namespace, which this empty declaration lets them keep.
#pragma warning disable IDE0161 // a block-scoped namespace: it holds nothing
namespace Xunit.Abstractions
{
}
