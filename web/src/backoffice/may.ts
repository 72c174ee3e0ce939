// Whether the signed-in person holds a permission: the back office's pages show a change only
// to whoever the server would let make it (the server still checks every request).
import { currentUser } from "../session";

export const may = (permission: string): boolean =>
  currentUser.value?.permissions.includes(permission) ?? false;
