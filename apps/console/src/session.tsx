import { createContext, useContext } from 'react';

export interface Me {
  id: string;
  email: string;
  displayName: string;
  organisationId: string;
  roles: string[];
  platformRoles: string[];
}

export const SessionContext = createContext<{ me: Me | null; setMe: (m: Me | null) => void }>({ me: null, setMe: () => undefined });
export const useSession = () => useContext(SessionContext);

export const hasRole = (me: Me | null, role: string) => !!me && (me.roles.includes(role) || me.platformRoles.includes(role));
