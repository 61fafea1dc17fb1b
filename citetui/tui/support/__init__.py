"""What the screens share that is neither a screen nor a widget: paging, rendering, actions."""
